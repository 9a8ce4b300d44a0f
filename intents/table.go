package intents

import (
	"math"
	"math/rand/v2"
)

// table is the embedding table of hashed features during training. It is sparse: a row
// exists only once a training text touches its bucket, so the hashing space can be large
// without costing memory, and untouched buckets stay exactly zero (an n-gram never seen in
// training adds nothing at prediction time).
//
// Why not spago's embedding model: it makes every row a parameter with its own gradient
// matrix, lock and optimizer state, which made training ten times slower than the arithmetic.
// spago computes the network and hands back the gradient of the bag (see fit); the rows are
// then updated here with lazy Adam.
type table struct {
	dim     int
	seed    uint64
	slot    map[uint32]int32 // bucket → row number
	rows    []float32        // row-major values
	grads   []float32        // gradient accumulated over the current batch
	m, v    []float32        // Adam moments
	dirty   []int32          // rows with a gradient in the current batch
	isDirty []bool
	adam    adamStep
}

// adamStep holds Adam's settings and its bias-corrected step for the current batch.
type adamStep struct {
	beta1, beta2, eps float32
	alpha             float32
	t                 int
}

func newTable(dim int, seed uint64) *table {
	return &table{dim: dim, seed: seed, slot: map[uint32]int32{},
		adam: adamStep{beta1: 0.9, beta2: 0.999, eps: 1e-8}}
}

// row returns the row number of bucket, creating it with small random values that depend
// only on the seed and the bucket, so that training is deterministic whatever the order.
func (t *table) row(bucket uint32) int32 {
	if r, ok := t.slot[bucket]; ok {
		return r
	}
	r := int32(len(t.rows) / t.dim)
	t.slot[bucket] = r
	rng := rand.New(rand.NewPCG(t.seed, uint64(bucket)))
	for range t.dim {
		t.rows = append(t.rows, rng.Float32()*0.2-0.1)
	}
	zeros := make([]float32, t.dim)
	t.grads = append(t.grads, zeros...)
	t.m = append(t.m, zeros...)
	t.v = append(t.v, zeros...)
	t.isDirty = append(t.isDirty, false)
	return r
}

// bag writes Σ weight·row of the features into x.
func (t *table) bag(rows []int32, fs []feature, x []float32) {
	clear(x)
	for i, r := range rows {
		w := fs[i].weight
		for j, v := range t.rows[int(r)*t.dim : int(r+1)*t.dim] {
			x[j] += w * v
		}
	}
}

// accumulate adds the gradient of the bag, gx, to each feature's row.
func (t *table) accumulate(rows []int32, fs []feature, gx []float32) {
	for i, r := range rows {
		g := t.grads[int(r)*t.dim : int(r+1)*t.dim]
		if !t.isDirty[r] {
			t.isDirty[r] = true
			t.dirty = append(t.dirty, r)
		}
		w := fs[i].weight
		for j, v := range gx {
			g[j] += w * v
		}
	}
}

// step applies one lazy Adam update with the given step size to the rows of the batch.
func (t *table) step(stepSize float64) {
	a := &t.adam
	a.t++
	tt := float64(a.t)
	a.alpha = float32(stepSize * math.Sqrt(1-math.Pow(float64(a.beta2), tt)) / (1 - math.Pow(float64(a.beta1), tt)))
	for _, r := range t.dirty {
		lo, hi := int(r)*t.dim, int(r+1)*t.dim
		w, g, m, v := t.rows[lo:hi], t.grads[lo:hi], t.m[lo:hi], t.v[lo:hi]
		for j := range w {
			m[j] = a.beta1*m[j] + (1-a.beta1)*g[j]
			v[j] = a.beta2*v[j] + (1-a.beta2)*g[j]*g[j]
			w[j] -= a.alpha * m[j] / (float32(math.Sqrt(float64(v[j]))) + a.eps)
		}
		clear(g)
		t.isDirty[r] = false
	}
	t.dirty = t.dirty[:0]
}
