package intents

// Status says what the classifier made of a text.
type Status string

// The statuses of a Decision.
const (
	Understood    Status = "understood"     // one intent stands out
	Ambiguous     Status = "ambiguous"      // two intents are close: ask the customer which
	NotUnderstood Status = "not_understood" // nothing is likely enough
	OutOfScope    Status = "out_of_scope"   // the text is about something the service does not handle
)

// Decision is the classifier's answer for one text.
type Decision struct {
	Status     Status  `json:"status"`
	Intent     string  `json:"intent,omitempty"`   // the chosen intent, when understood or ambiguous
	Confidence float64 `json:"confidence"`         // probability of the top intent
	Ranked     []Score `json:"ranked,omitempty"`   // the three most likely intents
	Pair       []Score `json:"pair,omitempty"`     // the two candidates, when ambiguous
	Rejected   bool    `json:"rejected,omitempty"` // not understood or out of scope
}

// Policy turns ranked intents into a Decision.
type Policy struct {
	// MinConfidence is the probability below which a text is not understood.
	MinConfidence float64 `json:"min_confidence"`
	// AmbiguityMargin: when the second intent is within this distance of the first (and
	// itself above MinConfidence/2), the customer is asked to choose.
	AmbiguityMargin float64 `json:"ambiguity_margin"`
	// OutOfScopeIntent is the intent that means "none of ours" ("aucun" in the catalogue).
	OutOfScopeIntent string `json:"out_of_scope_intent"`
}

// DefaultPolicy was chosen on the catalogue dev set and the out-of-scope measurements in the
// README: at most 5 % of in-scope dev texts rejected.
func DefaultPolicy() Policy {
	return Policy{MinConfidence: 0.3, AmbiguityMargin: 0.1, OutOfScopeIntent: OutOfScopeIntentID}
}

// OutOfScopeIntentID is the catalogue id of "Aucun" (Hors sujet).
const OutOfScopeIntentID = "aucun"

// Decide applies the policy to intents ranked by probability.
func (p Policy) Decide(ranked []Score) Decision {
	if len(ranked) == 0 {
		return Decision{Status: NotUnderstood, Rejected: true}
	}
	top := ranked[0]
	d := Decision{Confidence: top.Confidence, Ranked: ranked[:min(3, len(ranked))]}
	switch {
	case top.Intent == p.OutOfScopeIntent:
		d.Status, d.Rejected = OutOfScope, true
	case top.Confidence < p.MinConfidence:
		d.Status, d.Rejected = NotUnderstood, true
	case len(ranked) > 1 && ranked[1].Intent != p.OutOfScopeIntent &&
		ranked[1].Confidence >= p.MinConfidence/2 &&
		top.Confidence-ranked[1].Confidence < p.AmbiguityMargin:
		d.Status, d.Intent, d.Pair = Ambiguous, top.Intent, ranked[:2]
	default:
		d.Status, d.Intent = Understood, top.Intent
	}
	return d
}
