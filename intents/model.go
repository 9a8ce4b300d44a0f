package intents

import (
	"math"
	"sort"
)

// Model is a trained intent classifier. It holds plain weight slices copied out of the spago
// network after training, so that prediction builds no autograd graph and allocates little.
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
}

// Score is one intent and the model's probability for it.
type Score struct {
	Intent     string
	Confidence float64
}

// Rank returns every intent with its probability, most likely first. A text with no usable
// feature (empty, emoji only) returns nil.
func (m *Model) Rank(text string) []Score {
	probs := m.probabilities(text)
	if probs == nil {
		return nil
	}
	ranked := make([]Score, len(probs))
	for i, p := range probs {
		ranked[i] = Score{Intent: m.Labels[i], Confidence: float64(p)}
	}
	sort.SliceStable(ranked, func(i, j int) bool { return ranked[i].Confidence > ranked[j].Confidence })
	return ranked
}

func (m *Model) probabilities(text string) []float32 {
	fs := m.Spec.extract(Normalize(text))
	if len(fs) == 0 {
		return nil
	}
	weigh(fs, m.idf)
	x := make([]float32, m.Dim)
	for _, f := range fs {
		r, seen := m.Rows[f.bucket]
		if !seen {
			continue // an n-gram never met in training says nothing
		}
		for j, v := range m.Emb[int(r)*m.Dim : int(r+1)*m.Dim] {
			x[j] += f.weight * v
		}
	}
	if m.Hidden > 0 {
		x = affine(m.W1, m.B1, x)
		for i, v := range x {
			x[i] = float32(math.Tanh(float64(v)))
		}
	}
	return softmax(affine(m.W2, m.B2, x))
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

// idf returns the weight of a bucket; unseen buckets are the rarest of all. They add nothing
// to the bag but still take their share, so a text made mostly of unknown words scores low.
func (m *Model) idf(bucket uint32) float32 {
	if r, ok := m.Rows[bucket]; ok {
		return m.IDF[r]
	}
	return m.MaxIDF
}
