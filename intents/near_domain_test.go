package intents_test

import (
	"strings"
	"testing"

	"github.com/relais/relais/intents"
)

// minNearDomainRejected is the floor of the share of testdata/near_domain.tsv the built-in
// model rejects: texts about other companies, public services, banks or in another language,
// which the bot used to answer as its own business. It sits a little below the measured
// figure (0.875 with the default seed, 0.889 on average over seeds 1–3; 0.639 before the
// near-domain examples) so that retraining noise does not fail the test.
const minNearDomainRejected = 0.83

// TestNearDomainRejected trains the built-in catalogue and scores the held-out near-domain
// texts: every one should be rejected.
func TestNearDomainRejected(t *testing.T) {
	c := classifier(t)
	test, err := intents.ReadSource("testdata/near_domain.tsv", builtin(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(test) < 60 {
		t.Fatalf("near_domain.tsv: got %d texts, want at least 60", len(test))
	}
	for _, ex := range test {
		if d := c.Classify(ex.Text); !d.Rejected {
			t.Logf("not rejected: %q → %s %.2f", ex.Text, d.Intent, d.Confidence)
		}
	}
	r := intents.Evaluate(c, test)
	t.Logf("near-domain rejected %.3f of %d", r.RejectedRate, r.N)
	if r.RejectedRate < minNearDomainRejected {
		t.Errorf("near-domain rejected: got %.3f, want at least %.3f", r.RejectedRate, minNearDomainRejected)
	}
}

// TestNearDomainIsHeldOut keeps the near-domain file out of the training examples, compared
// the way `dialog check` compares examples (normalised words), so the figure stays honest.
func TestNearDomainIsHeldOut(t *testing.T) {
	cat := builtin(t)
	test, err := intents.ReadSource("testdata/near_domain.tsv", cat)
	if err != nil {
		t.Fatal(err)
	}
	training := map[string]bool{}
	for _, ex := range cat.Examples() {
		training[normalized(ex.Text)] = true
	}
	for _, ex := range test {
		if ex.Intent != intents.OutOfScopeIntentID {
			t.Errorf("%q: got label %s, want %s", ex.Text, ex.Intent, intents.OutOfScopeIntentID)
		}
		if training[normalized(ex.Text)] {
			t.Errorf("near-domain text %q is also a training example", ex.Text)
		}
	}
}

// TestNoExampleInTwoIntents mirrors dialog check's duplicate rule (normalised words) on the
// built-in catalogue, so that a new example cannot break `relais dialog check`.
func TestNoExampleInTwoIntents(t *testing.T) {
	owner := map[string]string{}
	for _, ex := range builtin(t).Examples() {
		key := normalized(ex.Text)
		if prev, dup := owner[key]; dup && prev != ex.Intent {
			t.Errorf("example %q: got intents %s and %s, want one", ex.Text, prev, ex.Intent)
		}
		owner[key] = ex.Intent
	}
}

func normalized(text string) string { return strings.Join(intents.Normalize(text), " ") }
