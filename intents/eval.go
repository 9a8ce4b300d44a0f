package intents

import (
	"cmp"
	"slices"
	"time"
)

// Report is what `relais nlu eval` prints: how well a classifier did on labelled texts.
type Report struct {
	Accuracy      float64 `json:"accuracy"`
	MacroF1       float64 `json:"macro_f1"`
	N             int     `json:"n"`
	TrainN        int     `json:"train_n,omitempty"`
	TrainSeconds  float64 `json:"train_seconds"`
	ClassifyUsP50 float64 `json:"classify_us_p50"`
	ClassifyUsP99 float64 `json:"classify_us_p99"`
	// RejectedRate is the share of texts rejected (not understood or out of scope); each one
	// counts as a prediction of the out-of-scope intent.
	RejectedRate float64 `json:"rejected_rate"`
	// InScopeRejectedRate is the share of texts labelled with a real intent that were rejected.
	InScopeRejectedRate float64 `json:"in_scope_rejected_rate"`
	// ECE is the expected calibration error of the top confidence (10 bins).
	ECE float64 `json:"ece"`
	// Policy is the decision policy that was applied, and Calibration how it was chosen
	// (nil: the default policy).
	Temperature float32            `json:"temperature"`
	Policy      Policy             `json:"policy"`
	Calibration *CalibrationReport `json:"calibration,omitempty"`
	Confusions  [][3]any           `json:"confusions"` // the ten most frequent [want, got, count]
}

// Evaluate classifies every test text, one at a time, and scores the decisions.
func Evaluate(c *Classifier, test []Example) Report {
	r := Report{N: len(test), Temperature: c.Model.Temperature, Policy: c.Policy, Calibration: c.Model.Calibration}
	got := make([]string, len(test))
	durations := make([]time.Duration, len(test))
	confidences := make([]float64, len(test))
	for i, ex := range test {
		start := time.Now()
		d := c.Classify(ex.Text)
		durations[i] = time.Since(start)
		got[i], confidences[i] = d.Intent, d.Confidence
		if d.Rejected {
			got[i] = c.Policy.OutOfScopeIntent
		}
	}
	r.ClassifyUsP50 = micros(percentile(durations, 50))
	r.ClassifyUsP99 = micros(percentile(durations, 99))
	r.score(test, got, confidences, c.Policy.OutOfScopeIntent)
	return r
}

func (r *Report) score(test []Example, got []string, confidences []float64, outOfScope string) {
	type pair struct{ want, got string }
	counts := map[pair]int{}
	correct, rejected, inScope, inScopeRejected := 0, 0, 0, 0
	for i, ex := range test {
		counts[pair{ex.Intent, got[i]}]++
		if got[i] == ex.Intent {
			correct++
		}
		if got[i] == outOfScope {
			rejected++
		}
		if ex.Intent != outOfScope {
			inScope++
			if got[i] == outOfScope {
				inScopeRejected++
			}
		}
	}
	r.Accuracy = ratio(correct, len(test))
	r.RejectedRate = ratio(rejected, len(test))
	r.InScopeRejectedRate = ratio(inScopeRejected, inScope)
	r.MacroF1 = macroF1(test, got)
	r.ECE = calibrationError(test, got, confidences)
	var errs []pair
	for p := range counts {
		if p.want != p.got {
			errs = append(errs, p)
		}
	}
	slices.SortFunc(errs, func(a, b pair) int {
		return cmp.Or(counts[b]-counts[a], cmp.Compare(a.want, b.want), cmp.Compare(a.got, b.got))
	})
	r.Confusions = [][3]any{}
	for _, p := range errs[:min(10, len(errs))] {
		r.Confusions = append(r.Confusions, [3]any{p.want, p.got, counts[p]})
	}
}

// macroF1 is the mean F1 over the labels that appear in the test set.
func macroF1(test []Example, got []string) float64 {
	tp, fp, fn := map[string]int{}, map[string]int{}, map[string]int{}
	for i, ex := range test {
		if got[i] == ex.Intent {
			tp[ex.Intent]++
			continue
		}
		fn[ex.Intent]++
		fp[got[i]]++
	}
	labels := map[string]bool{}
	for _, ex := range test {
		labels[ex.Intent] = true
	}
	var sum float64
	for l := range labels {
		if denom := 2*tp[l] + fp[l] + fn[l]; denom > 0 {
			sum += float64(2*tp[l]) / float64(denom)
		}
	}
	return sum / float64(len(labels))
}

// calibrationError compares confidence with accuracy in ten bins of confidence.
func calibrationError(test []Example, got []string, confidences []float64) float64 {
	var n [10]int
	var conf, acc [10]float64
	for i, ex := range test {
		b := min(int(confidences[i]*10), 9)
		n[b]++
		conf[b] += confidences[i]
		if got[i] == ex.Intent {
			acc[b]++
		}
	}
	var ece float64
	for b := range n {
		if n[b] > 0 {
			gap := conf[b]/float64(n[b]) - acc[b]/float64(n[b])
			ece += float64(n[b]) / float64(len(test)) * max(gap, -gap)
		}
	}
	return ece
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func micros(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 }
