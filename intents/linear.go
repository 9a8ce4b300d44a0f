package intents

import (
	"math"
	"math/rand/v2"
)

// The linear scorer: a multinomial logistic regression on each text's TF-IDF vector (the
// model's word, bigram and character n-gram rows, L2-normalised), trained beside the network
// for the bots that are calibrated (Calibration.applies). Its logits are mixed with the
// network's in the share that the cross-validation chooses (Model.LinearShare, 0 to 1 by
// quarters). Its settings below were chosen by that cross-validation on the MASSIVE cuts of
// 5 and 15 examples per intent (TestExpLinearCV). Measured, calibrated, rejections counted
// as errors (seeds 1, 2, 3): MASSIVE fr at 5 per intent 0.463 / 0.463 / 0.458 against
// 0.390 / 0.404 / 0.401 for the network alone, at 15 per intent 0.610 / 0.609 / 0.607
// against 0.605 / 0.612 / 0.612; the built-in catalogue cut to 15 per intent, scored on its
// dev set, 0.727 against 0.707 (5 per intent: 0.601 against 0.537).

// linearCharWeight is a character n-gram's count in the linear scorer's vector (a word's or
// a bigram's is 1): more than in the network's bag (CharBias 0.25), the n-grams being what
// links a test word to a training word when there are few examples.
var linearCharWeight float32 = 1

// The linear scorer's training (variables for the tuning harness).
var (
	linearEpochs         = 15
	linearRate   float64 = 1    // SGD step size, decaying linearly to zero
	linearDecay  float32 = 1e-4 // L2 weight decay, applied to the rows a text touches
)

// linearInput returns the rows of the text's features seen in training and their weights
// (count × IDF, scaled to unit length); unseen features are left out.
func (m *Model) linearInput(words []string) ([]int32, []float32) {
	var rows []int32
	var vals []float32
	var norm float32
	m.Spec.walk(words, func(bucket uint32, char bool) {
		r := m.index[bucket]
		if r < 0 {
			return
		}
		w := m.IDF[r]
		if char {
			w *= linearCharWeight
		}
		rows, vals = append(rows, r), append(vals, w)
		norm += w * w
	})
	if norm > 0 {
		inv := float32(1 / math.Sqrt(float64(norm)))
		for i := range vals {
			vals[i] *= inv
		}
	}
	return rows, vals
}

// linearLogits returns the linear scorer's logits for the input, in the order of Labels.
func (m *Model) linearLogits(rows []int32, vals []float32) []float32 {
	n := len(m.Labels)
	z := append(make([]float32, 0, n), m.LinB...)
	for k, r := range rows {
		v := vals[k]
		for c, w := range m.Lin[int(r)*n : int(r+1)*n] {
			z[c] += v * w
		}
	}
	return z
}

// trainLinear fits the linear scorer of a trained model on its examples (SGD on the
// log-loss, deterministic for a seed).
func (m *Model) trainLinear(examples []Example, seed uint64) {
	n := len(m.Labels)
	label := make(map[string]int, n)
	for i, l := range m.Labels {
		label[l] = i
	}
	m.Lin, m.LinB = make([]float32, len(m.IDF)*n), make([]float32, n)
	type input struct {
		rows  []int32
		vals  []float32
		label int
	}
	data := make([]input, 0, len(examples))
	for _, ex := range examples {
		rows, vals := m.linearInput(Normalize(ex.Text))
		if len(rows) > 0 {
			data = append(data, input{rows, vals, label[ex.Intent]})
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x11))
	for e := range linearEpochs {
		rng.Shuffle(len(data), func(i, j int) { data[i], data[j] = data[j], data[i] })
		step := float32(linearRate * (1 - float64(e)/float64(linearEpochs)))
		for _, x := range data {
			g := softmax(m.linearLogits(x.rows, x.vals))
			g[x.label]--
			for k, r := range x.rows {
				row := m.Lin[int(r)*n : int(r+1)*n]
				for c := range row {
					row[c] -= step * (g[c]*x.vals[k] + linearDecay*row[c])
				}
			}
			for c := range m.LinB {
				m.LinB[c] -= step * g[c]
			}
		}
	}
}

// mixLogits returns (1-share)·net + share·lin, in net.
func mixLogits(net, lin []float32, share float32) []float32 {
	for i := range net {
		net[i] = (1-share)*net[i] + share*lin[i]
	}
	return net
}
