package intents_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/relais/relais/intents"
)

// trainedBuiltin trains the built-in catalogue once for all the tests of the package.
var trainedBuiltin = sync.OnceValues(func() (*intents.Model, error) {
	cat, err := intents.Builtin()
	if err != nil {
		return nil, err
	}
	return intents.Train(cat.Examples(), intents.DefaultTrainConfig())
})

func classifier(t testing.TB) *intents.Classifier {
	t.Helper()
	m, err := trainedBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	return intents.NewClassifier(m)
}

// TestDevSetAccuracy is the quality gate of the built-in bot: trained on the catalogue,
// scored on the held-out dev set, rejections counting as "aucun". The floor guards against
// regressions; the figure itself is in the README (the target is 0.92).
func TestDevSetAccuracy(t *testing.T) {
	c := classifier(t)
	dev, err := intents.ReadSource("testdata/dev.tsv", builtin(t))
	if err != nil {
		t.Fatal(err)
	}
	r := intents.Evaluate(c, dev)
	t.Logf("dev: accuracy %.4f, macro F1 %.4f, in-scope rejected %.3f, ECE %.3f", r.Accuracy, r.MacroF1, r.InScopeRejectedRate, r.ECE)
	if r.Accuracy < 0.91 {
		t.Errorf("dev accuracy: got %.4f, want at least 0.91; confusions %v", r.Accuracy, r.Confusions)
	}
	if r.InScopeRejectedRate > 0.05 {
		t.Errorf("in-scope dev texts rejected: got %.3f, want at most 0.05", r.InScopeRejectedRate)
	}
}

func TestClassifyExamples(t *testing.T) {
	c := classifier(t)
	tests := []struct {
		name, text string
		want       intents.Status
		intent     string
	}{
		{name: "order status", text: "où en est ma commande ?", want: intents.Understood, intent: "statut_commande"},
		{name: "agent", text: "je veux parler à un conseiller humain", want: intents.Understood, intent: "mise_en_relation_agent"},
		{name: "greeting", text: "bonjour", want: intents.Understood, intent: "salutations"},
		{name: "weather is out of scope", text: "quel temps fera-t-il demain à Marseille ?", want: intents.OutOfScope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := c.Classify(tt.text)
			if d.Status != tt.want || d.Intent != tt.intent {
				t.Errorf("Classify(%q) = %s %q (%.2f), want %s %q; ranked %v", tt.text, d.Status, d.Intent, d.Confidence, tt.want, tt.intent, d.Ranked)
			}
		})
	}
}

func TestClassifyBadInput(t *testing.T) {
	c := classifier(t)
	tests := []struct{ name, text string }{
		{name: "empty", text: ""},
		{name: "spaces", text: "   \t\n "},
		{name: "10,000 characters", text: strings.Repeat("x", 10_000)},
		{name: "invalid UTF-8", text: "\xff\xfe\xfd"},
		{name: "emoji only", text: "😀😀🙏🔥"},
		{name: "HTML", text: `<script>alert("x")</script><img src=x onerror=alert(1)>`},
		{name: "punctuation", text: "?!?!...;;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := c.Classify(tt.text)
			if !d.Rejected || d.Intent != "" {
				t.Errorf("Classify(%.40q) = %s %q (%.2f), want a rejection", tt.text, d.Status, d.Intent, d.Confidence)
			}
		})
	}
}

func TestPolicy(t *testing.T) {
	p := intents.DefaultPolicy()
	score := func(pairs ...any) []intents.Score {
		var s []intents.Score
		for i := 0; i < len(pairs); i += 2 {
			s = append(s, intents.Score{Intent: pairs[i].(string), Confidence: pairs[i+1].(float64)})
		}
		return s
	}
	tests := []struct {
		name   string
		ranked []intents.Score
		want   intents.Status
		intent string
	}{
		{name: "clear", ranked: score("a", 0.9, "b", 0.05), want: intents.Understood, intent: "a"},
		{name: "low", ranked: score("a", p.MinConfidence-0.01, "b", 0.1), want: intents.NotUnderstood},
		{name: "close pair", ranked: score("a", 0.45, "b", 0.44), want: intents.Ambiguous, intent: "a"},
		{name: "out of scope first", ranked: score("aucun", 0.6, "a", 0.3), want: intents.OutOfScope},
		{name: "out of scope second is no ambiguity", ranked: score("a", 0.5, "aucun", 0.45), want: intents.Understood, intent: "a"},
		{name: "nothing", ranked: nil, want: intents.NotUnderstood},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Decide(tt.ranked)
			if d.Status != tt.want || d.Intent != tt.intent {
				t.Errorf("Decide = %s %q, want %s %q", d.Status, d.Intent, tt.want, tt.intent)
			}
			if d.Status == intents.Ambiguous && len(d.Pair) != 2 {
				t.Errorf("ambiguous decision: got pair %v, want two intents", d.Pair)
			}
		})
	}
}

// smallSet is a few intents of the catalogue, enough to train in a fraction of a second.
func smallSet(t testing.TB) []intents.Example {
	var out []intents.Example
	for _, ex := range builtin(t).Examples() {
		if ex.Intent == "statut_commande" || ex.Intent == "salutations" || ex.Intent == "remboursement" {
			out = append(out, ex)
		}
	}
	return out
}

func TestTrainingIsDeterministic(t *testing.T) {
	cfg := intents.DefaultTrainConfig()
	cfg.Epochs = 2
	a, err := intents.Train(smallSet(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := intents.Train(smallSet(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Emb, b.Emb) || !slices.Equal(a.W2, b.W2) || !slices.Equal(a.B2, b.B2) {
		t.Error("two trainings with the same seed gave different weights")
	}
	cfg.Seed++
	c, _ := intents.Train(smallSet(t), cfg)
	if slices.Equal(a.W2, c.W2) {
		t.Error("another seed gave the same weights")
	}
}

func TestTrainRefusesTooFewIntents(t *testing.T) {
	_, err := intents.Train([]intents.Example{{Text: "bonjour", Intent: "salutations"}}, intents.DefaultTrainConfig())
	if err == nil {
		t.Error("got no error for one intent, want one")
	}
}

func TestLoadOrTrain(t *testing.T) {
	cfg := intents.DefaultTrainConfig()
	cfg.Epochs = 1
	examples := smallSet(t)
	path := filepath.Join(t.TempDir(), "model.gob")

	m1, note, err := intents.LoadOrTrain(path, examples, cfg)
	if err != nil || !strings.HasPrefix(note, "modèle entraîné") {
		t.Fatalf("first call: %q, %v; want a training", note, err)
	}
	m2, note, err := intents.LoadOrTrain(path, examples, cfg)
	if err != nil || !strings.HasPrefix(note, "modèle chargé") {
		t.Fatalf("second call: %q, %v; want a load", note, err)
	}
	text := "elle arrive quand ma commande"
	if a, b := m1.Rank(text), m2.Rank(text); !slices.Equal(a, b) {
		t.Errorf("loaded model ranks %v, trained one %v", b, a)
	}

	_, note, _ = intents.LoadOrTrain(path, examples[1:], cfg)
	if !strings.HasPrefix(note, "modèle périmé") {
		t.Errorf("changed data: got %q, want a retraining", note)
	}

	for name, content := range map[string][]byte{
		"garbage":   []byte("pas un modèle"),
		"truncated": truncated(t, path),
	} {
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		m, note, err := intents.LoadOrTrain(path, examples, cfg)
		if err != nil || m == nil || !strings.HasPrefix(note, "modèle illisible") {
			t.Errorf("%s file: got %q, %v; want a retraining", name, note, err)
		}
	}
}

func truncated(t *testing.T, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data[:len(data)/2]
}

func TestReadRejectsInconsistentModel(t *testing.T) {
	m, err := intents.Train(smallSet(t), intents.DefaultTrainConfig())
	if err != nil {
		t.Fatal(err)
	}
	m.B2 = m.B2[:1]
	var buf bytes.Buffer
	path := filepath.Join(t.TempDir(), "m.gob")
	if err := intents.Save(path, m, intents.Stamp{}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	buf.Write(data)
	if _, _, err := intents.Read(&buf); err == nil {
		t.Error("got no error for a model whose output layer is cut, want one")
	}
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{"", "bonjour", "où en est ma commande CMD-123", "\xff", "😀", "<b>x</b>", "l'", "''''", "jarrive pas a me co svp"} {
		f.Add(s)
	}
	m, err := intents.Train(smallSet(f), intents.DefaultTrainConfig())
	if err != nil {
		f.Fatal(err)
	}
	c := intents.NewClassifier(m)
	f.Fuzz(func(t *testing.T, text string) {
		d := c.Classify(text)
		if d.Confidence < 0 || d.Confidence > 1.0001 {
			t.Errorf("confidence %v out of [0, 1]", d.Confidence)
		}
		if d.Rejected != (d.Status == intents.NotUnderstood || d.Status == intents.OutOfScope) {
			t.Errorf("status %s with rejected=%v", d.Status, d.Rejected)
		}
		for _, w := range intents.Normalize(text) {
			if w == "" {
				t.Errorf("Normalize(%q) gave an empty word", text)
			}
		}
	})
}
