package intents

import (
	"math"
	"slices"
)

// Model is a trained intent classifier. It holds plain weight slices copied out of training,
// so that prediction builds no autograd graph and allocates little.
type Model struct {
	Labels []string         // intent ids, in the order of the output layer
	Spec   featureSpec      // how texts become features; part of what was trained
	Dim    int              // width of the feature embeddings
	Hidden int              // width of the hidden layer; 0 means none
	Rows   map[uint32]int32 // bucket → row of Emb, for buckets seen in training
	Emb    []float32        // rows of Dim values
	IDF    []float32        // inverse document frequency of each row's bucket
	MaxIDF float32          // the IDF of a bucket never seen in training
	W1, B1 []float32        // Hidden × Dim, Hidden
	W2, B2 []float32        // len(Labels) × (Hidden or Dim), len(Labels)
	// Lin and LinB are the linear scorer (see linear.go): one row of len(Labels) weights per
	// row of Emb, and the biases; empty when it was not trained.
	Lin, LinB []float32
	// LinearShare is the linear scorer's share in the logits, chosen by cross-validation; 0
	// leaves the network alone.
	LinearShare float32
	// Temperature divides the scores before the softmax so that confidences match accuracy
	// (chosen by cross-validation, see TrainConfig); 0 means 1.
	Temperature float32
	// Policy is the decision policy chosen for this model by cross-validation on its own
	// examples (see Calibrate); nil means DefaultPolicy.
	Policy *Policy
	// Calibration says how Temperature and Policy were chosen, for `nlu train` and `nlu eval`.
	Calibration *CalibrationReport

	index []int32 // bucket → row, -1 when unseen: Rows as an array, for speed
}

// Score is one intent and the model's probability for it.
type Score struct {
	Intent     string  `json:"intent"`
	Confidence float64 `json:"confidence"`
}

// buildIndex makes the bucket array from Rows; every constructor of a Model calls it.
func (m *Model) buildIndex() {
	m.index = make([]int32, m.Spec.Buckets)
	for i := range m.index {
		m.index[i] = -1
	}
	for bucket, r := range m.Rows {
		m.index[bucket] = r
	}
}

// Rank returns every intent with its probability, most likely first. A text with no usable
// feature (empty, emoji only) returns nil.
func (m *Model) Rank(text string) []Score {
	return m.top(text, len(m.Labels))
}

// top returns the k most likely intents, most likely first.
func (m *Model) top(text string, k int) []Score {
	probs := m.probabilities(text)
	if probs == nil {
		return nil
	}
	ranked := make([]Score, 0, k+1)
	for i, p := range probs {
		s := Score{Intent: m.Labels[i], Confidence: float64(p)}
		at := len(ranked)
		for at > 0 && ranked[at-1].Confidence < s.Confidence {
			at--
		}
		if at < k {
			ranked = slices.Insert(ranked, at, s)
			ranked = ranked[:min(len(ranked), k)]
		}
	}
	return ranked
}

// probabilities runs the model on a text. The bag is the IDF-weighted mean of the feature
// embeddings; features never seen in training add nothing but still count in the mean, so a
// text made mostly of unknown words gets a weak bag and low confidence.
func (m *Model) probabilities(text string) []float32 {
	z := m.logits(text)
	if z == nil {
		return nil
	}
	if m.Temperature > 0 && m.Temperature != 1 {
		for i := range z {
			z[i] /= m.Temperature
		}
	}
	return softmax(z)
}

// logits returns the scores before the temperature and the softmax (the network's, mixed
// with the linear scorer's in its share), or nil for a text with no usable feature.
func (m *Model) logits(text string) []float32 {
	words := Normalize(text)
	z := m.networkLogits(words)
	if z == nil || m.LinearShare == 0 {
		return z
	}
	return mixLogits(z, m.linearLogits(m.linearInput(words)), m.LinearShare)
}

// networkLogits returns the network's output layer, or nil for a text with no usable feature.
func (m *Model) networkLogits(words []string) []float32 {
	x := make([]float32, m.Dim)
	var total float32
	m.Spec.each(words, func(bucket uint32, w float32) {
		r := m.index[bucket]
		if r < 0 {
			total += w * m.MaxIDF
			return
		}
		w *= m.IDF[r]
		total += w
		for j, v := range m.Emb[int(r)*m.Dim : int(r+1)*m.Dim] {
			x[j] += w * v
		}
	})
	if total == 0 {
		return nil
	}
	for j := range x {
		x[j] /= total
	}
	if m.Hidden > 0 {
		x = affine(m.W1, m.B1, x)
		for i, v := range x {
			x[i] = float32(math.Tanh(float64(v)))
		}
	}
	return affine(m.W2, m.B2, x)
}

// affine returns w·x + b for a row-major w of len(b) rows.
func affine(w, b, x []float32) []float32 {
	out := make([]float32, len(b))
	n := len(x)
	for i := range out {
		row := w[i*n : (i+1)*n]
		s := b[i]
		for j, v := range row {
			s += v * x[j]
		}
		out[i] = s
	}
	return out
}

func softmax(z []float32) []float32 {
	maxZ := z[0]
	for _, v := range z {
		maxZ = max(maxZ, v)
	}
	var sum float64
	for i, v := range z {
		e := math.Exp(float64(v - maxZ))
		z[i] = float32(e)
		sum += e
	}
	for i := range z {
		z[i] = float32(float64(z[i]) / sum)
	}
	return z
}
