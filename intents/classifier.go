package intents

// Classifier is a trained model with its decision policy: what the dialog engine and the
// commands call.
type Classifier struct {
	Model  *Model
	Policy Policy
}

// NewClassifier pairs a model with the default policy.
func NewClassifier(m *Model) *Classifier {
	return &Classifier{Model: m, Policy: DefaultPolicy()}
}

// Classify returns the decision for one customer text. It never fails: empty, huge, binary or
// emoji-only input is simply not understood.
func (c *Classifier) Classify(text string) Decision {
	return c.Policy.Decide(c.Model.top(text, 3))
}
