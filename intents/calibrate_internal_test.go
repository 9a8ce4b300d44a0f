package intents

import (
	"fmt"
	"testing"
)

// TestThresholdKeepsRejectionBound: 200 in-scope examples whose 20 least confident answers are
// wrong. Rejecting them earns, so the threshold rises as far as the target lets it: with the
// target at 5 %, the rate alone would allow 10 rejections, its 95 % upper bound 6.
func TestThresholdKeepsRejectionBound(t *testing.T) {
	cv := &CrossValidation{Labels: []string{"a", "b"}}
	var ranked [][]Score
	for i := range 200 {
		cv.Examples = append(cv.Examples, Example{Text: fmt.Sprint(i), Intent: "a"})
		top, conf := "a", 0.45+0.0025*float64(i)
		if i < 20 {
			top, conf = "b", 0.2+0.011*float64(i)
		}
		ranked = append(ranked, []Score{{Intent: top, Confidence: conf}, {Intent: "c", Confidence: 0.01}})
	}
	p := DefaultPolicy()
	p.AmbiguityMargin = 0
	p.MinConfidence = cv.sweep(ranked, &p, &p.MinConfidence, 0.1, 0.9, rejectedWithin(0.05))
	s := cv.score(ranked, p)
	if got := int(s.InScopeRejected*200 + 0.5); got != 6 {
		t.Errorf("threshold %.2f rejects %d examples, want 6 (the most whose upper bound is within 5 %%)", p.MinConfidence, got)
	}
	if b := rejectionBound(0, 50); b != 0 {
		t.Errorf("bound of 0 out of 50: got %v, want 0", b)
	}
}
