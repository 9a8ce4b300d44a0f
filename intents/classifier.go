package intents

// Classifier is a trained model with its decision policy: what the dialog engine and the
// commands call.
type Classifier struct {
	Model  *Model
	Policy Policy
}

// NewClassifier pairs a model with its calibrated policy, or the default one when the model
// has none (a large catalogue, or a model trained without calibration).
func NewClassifier(m *Model) *Classifier {
	if m.Policy != nil {
		return &Classifier{Model: m, Policy: *m.Policy}
	}
	return &Classifier{Model: m, Policy: DefaultPolicy()}
}

// Classify returns the decision for one customer text. It never fails: empty, huge, binary or
// emoji-only input is simply not understood.
func (c *Classifier) Classify(text string) Decision {
	return c.Policy.Decide(c.Model.top(text, 3))
}
