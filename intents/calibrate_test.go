package intents_test

import (
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/relais/relais/intents"
)

// smallBot is the built-in catalogue cut to its first n examples per intent: the size of a
// designer's bot.
func smallBot(t testing.TB, n int) []intents.Example {
	var out []intents.Example
	for _, in := range builtin(t).Intents {
		for _, text := range in.Examples[:min(n, len(in.Examples))] {
			out = append(out, intents.Example{Text: text, Intent: in.ID})
		}
	}
	return out
}

// TestTrainCalibrated: a small bot gets a policy chosen by cross-validation that meets the
// target on its folds; the built-in catalogue keeps the default one.
func TestTrainCalibrated(t *testing.T) {
	examples := smallBot(t, 12)
	cfg := intents.DefaultTrainConfig()
	m, err := intents.TrainCalibrated(examples, cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := m.Calibration
	if c == nil || m.Policy == nil {
		t.Fatalf("%d examples: got no calibration, want one", len(examples))
	}
	t.Logf("%+v", *c)
	if c.InScopeRejected > cfg.Calibration.MaxRejected {
		t.Errorf("cross-validated in-scope rejections: got %.3f, want at most %.3f", c.InScopeRejected, cfg.Calibration.MaxRejected)
	}
	p := intents.NewClassifier(m).Policy
	if p.MinConfidence != c.MinConfidence || p.AmbiguityMargin != c.AmbiguityMargin || m.Temperature != c.Temperature {
		t.Errorf("classifier policy %+v at temperature %v: want the calibrated %+v", p, m.Temperature, *c)
	}
	if p.MinConfidence < 1.5/float64(len(m.Labels)) {
		t.Errorf("threshold: got %.2f, want at least 1.5 / %d intents", p.MinConfidence, len(m.Labels))
	}
	if got := intents.NewClassifier(classifier(t).Model).Policy; got != intents.DefaultPolicy() {
		t.Errorf("built-in catalogue: got policy %+v, want the default", got)
	}
}

func TestCrossValidationReport(t *testing.T) {
	examples := smallBot(t, 8)
	cv, err := intents.CrossValidate(examples, intents.DefaultTrainConfig(), 3)
	if err != nil {
		t.Fatal(err)
	}
	r := cv.Report(intents.DefaultTrainConfig())
	if r.N != len(examples) || len(r.Intents) != len(builtin(t).Intents) {
		t.Fatalf("got %d examples and %d intents, want %d and %d", r.N, len(r.Intents), len(examples), len(builtin(t).Intents))
	}
	mistakes := 0
	for i, in := range r.Intents {
		if i > 0 && in.Accuracy < r.Intents[i-1].Accuracy {
			t.Errorf("intents not sorted worst first: %s %.2f after %.2f", in.Intent, in.Accuracy, r.Intents[i-1].Accuracy)
		}
		mistakes += len(in.Errors)
	}
	if want := int(float64(r.N)*(1-r.Accuracy) + 0.5); mistakes != want {
		t.Errorf("got %d misclassified examples listed, want %d", mistakes, want)
	}
}

func TestWarnings(t *testing.T) {
	many := func(prefix string, n int) string {
		var ex []string
		for i := range n {
			ex = append(ex, `"`+prefix+` `+strings.Repeat("x", i+1)+`"`)
		}
		return strings.Join(ex, ", ")
	}
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{name: "enough distinct examples", want: nil,
			yaml: "  - {id: a, name: A, examples: [" + many("facture", 10) + "]}\n  - {id: b, name: B, examples: [" + many("livraison", 10) + "]}\n"},
		{name: "few examples", want: []string{"l'intention b n'a que 2 exemple(s)"},
			yaml: "  - {id: a, name: A, examples: [" + many("facture", 10) + "]}\n  - {id: b, name: B, examples: [\"colis perdu\", \"colis abîmé\"]}\n"},
		{name: "overlap", want: []string{"1 exemple(s) de a et de b se ressemblent"},
			yaml: "  - {id: a, name: A, examples: [\"payer ma facture en ligne\", " + many("facture", 9) + "]}\n  - {id: b, name: B, examples: [\"payer la facture en ligne\", " + many("livraison", 9) + "]}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"c.yaml": {Data: []byte("category: {id: c, name: C}\nintents:\n" + tt.yaml)}}
			cat, err := intents.Load(fsys, "intents")
			if err != nil {
				t.Fatal(err)
			}
			got := intents.Warnings(cat)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d warnings %v, want %d", len(got), got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i].Message, w) {
					t.Errorf("warning %d: got %q, want it to contain %q", i, got[i].Message, w)
				}
			}
		})
	}
}

// TestCalibratedModelIsSaved: a model loaded from its file decides with the policy the
// calibration chose, not the default.
func TestCalibratedModelIsSaved(t *testing.T) {
	cfg := intents.DefaultTrainConfig()
	cfg.Epochs = 2
	examples := smallBot(t, 10)
	path := filepath.Join(t.TempDir(), "model.gob")
	m1, _, err := intents.LoadOrTrain(path, examples, cfg)
	if err != nil {
		t.Fatal(err)
	}
	m2, note, err := intents.LoadOrTrain(path, examples, cfg)
	if err != nil || !strings.HasPrefix(note, "modèle chargé") {
		t.Fatalf("second call: %q, %v; want a load", note, err)
	}
	if m1.Calibration == nil || m2.Calibration == nil || *m1.Calibration != *m2.Calibration {
		t.Fatalf("calibration: trained %+v, loaded %+v; want the same", m1.Calibration, m2.Calibration)
	}
	if got, want := intents.NewClassifier(m2).Policy, intents.NewClassifier(m1).Policy; got != want || m2.Temperature != m1.Temperature {
		t.Errorf("loaded policy %+v at temperature %v, want %+v at %v", got, m2.Temperature, want, m1.Temperature)
	}
}
