package intents

import (
	"cmp"
	"slices"
)

// CVReport is what `relais nlu eval --cv K` prints: how a bot's own examples fare when each
// is classified by a model trained on the others, intent by intent, so that a designer sees
// which intents need more (or more distinct) examples.
type CVReport struct {
	Folds           int                `json:"folds"`
	N               int                `json:"n"`
	Accuracy        float64            `json:"accuracy"`
	InScopeRejected float64            `json:"in_scope_rejected_rate"`
	Temperature     float32            `json:"temperature"`
	Policy          Policy             `json:"policy"`
	Calibration     *CalibrationReport `json:"calibration,omitempty"`
	Intents         []IntentCV         `json:"intents"` // worst accuracy first
}

// IntentCV is one intent's cross-validation figures.
type IntentCV struct {
	Intent       string      `json:"intent"`
	N            int         `json:"n"`
	Accuracy     float64     `json:"accuracy"`
	ConfusedWith []Confusion `json:"confused_with,omitempty"` // most frequent first
	Errors       []Mistake   `json:"errors,omitempty"`
}

// Confusion is an intent a text was taken for, and how many times.
type Confusion struct {
	Intent string `json:"intent"` // OutOfScopeIntentID for a rejected text
	Count  int    `json:"count"`
}

// Mistake is one misclassified example.
type Mistake struct {
	Text       string  `json:"text"`
	Got        string  `json:"got"`
	Confidence float64 `json:"confidence"`
}

// Report applies the bot's policy, as TrainCalibrated would choose it for cfg, to the
// out-of-fold scores. The policy is chosen on the same folds it is scored on, so the
// figures are a little optimistic for a small bot.
func (cv *CrossValidation) Report(cfg TrainConfig) CVReport {
	r := CVReport{Folds: cv.Folds, N: len(cv.Examples), Temperature: cfg.Temperature, Policy: DefaultPolicy()}
	if cfg.Calibration.applies(len(cv.Examples)) {
		c := cv.Calibrate(cfg.Calibration.MaxRejected)
		r.Calibration, r.Temperature = &c, c.Temperature
		r.Policy.MinConfidence, r.Policy.AmbiguityMargin = c.MinConfidence, c.AmbiguityMargin
	}
	byIntent := map[string]*IntentCV{}
	confused := map[string]map[string]int{}
	right, inScope, rejected := 0, 0, 0
	for i, ex := range cv.Examples {
		in := byIntent[ex.Intent]
		if in == nil {
			in = &IntentCV{Intent: ex.Intent}
			byIntent[ex.Intent], confused[ex.Intent] = in, map[string]int{}
		}
		in.N++
		d := r.Policy.Decide(cv.ranked(i, r.Temperature))
		got := d.Intent
		if d.Rejected {
			got = r.Policy.OutOfScopeIntent
		}
		if ex.Intent != r.Policy.OutOfScopeIntent {
			inScope++
			if d.Rejected {
				rejected++
			}
		}
		if got == ex.Intent {
			right++
			in.Accuracy++
			continue
		}
		confused[ex.Intent][got]++
		in.Errors = append(in.Errors, Mistake{Text: ex.Text, Got: got, Confidence: d.Confidence})
	}
	r.Accuracy, r.InScopeRejected = ratio(right, len(cv.Examples)), ratio(rejected, inScope)
	for id, in := range byIntent {
		in.Accuracy /= float64(in.N)
		for got, n := range confused[id] {
			in.ConfusedWith = append(in.ConfusedWith, Confusion{got, n})
		}
		slices.SortFunc(in.ConfusedWith, func(a, b Confusion) int {
			return cmp.Or(b.Count-a.Count, cmp.Compare(a.Intent, b.Intent))
		})
		r.Intents = append(r.Intents, *in)
	}
	slices.SortFunc(r.Intents, func(a, b IntentCV) int {
		return cmp.Or(cmp.Compare(a.Accuracy, b.Accuracy), cmp.Compare(a.Intent, b.Intent))
	})
	return r
}
