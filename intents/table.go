package intents

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
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
	buckets []uint32         // row number → bucket
	rows    []float32        // row-major values
	// mv holds each row's Adam moments side by side (m then v), so that an update touches
	// two places in memory rather than three.
	mv []float32
	// The batch's gradients live in a small dense buffer, one slice per dirty row, rather
	// than in a table-sized array: the update then reads them from cache.
	grads []float32
	dirty []int32 // rows with a gradient in the current batch, in order of first touch
	pos   []int32 // per row: its index in dirty, or -1
	adam  adamStep
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

// row returns the row number of bucket, giving it the next number if it has none yet. The
// rows' values are made by alloc, once every row is known.
func (t *table) row(bucket uint32) int32 {
	if r, ok := t.slot[bucket]; ok {
		return r
	}
	r := int32(len(t.buckets))
	t.slot[bucket] = r
	t.buckets = append(t.buckets, bucket)
	return r
}

// renumber gives the rows numbers in order of decreasing document frequency, and updates
// df and the texts' rows to match. The values do not change, but the rows that most texts
// touch end up side by side in memory, where the cache keeps them: training spends most of
// its time fetching rows.
func (t *table) renumber(df []float32, data []encoded) []float32 {
	order := make([]int32, len(df))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(df[b], df[a]) })
	renum := make([]int32, len(order))
	sortedDF := make([]float32, len(df))
	buckets := make([]uint32, len(df))
	for r, old := range order {
		renum[old] = int32(r)
		sortedDF[r] = df[old]
		buckets[r] = t.buckets[old]
		t.slot[buckets[r]] = int32(r)
	}
	t.buckets = buckets
	for _, ex := range data {
		for i, r := range ex.rows {
			ex.rows[i] = renum[r]
		}
	}
	return sortedDF
}

// alloc allocates the rows in one piece (growing them row by row cost more time in page
// faults and copies than the training itself) and fills each with small random values that
// depend only on the seed and the bucket, so that training is deterministic whatever the
// order.
func (t *table) alloc() {
	n := len(t.buckets)
	t.rows = make([]float32, n*t.dim)
	t.mv = make([]float32, 2*n*t.dim)
	t.pos = make([]int32, n)
	for r, bucket := range t.buckets {
		rng := rand.New(rand.NewPCG(t.seed, uint64(bucket)))
		for j := range t.dim {
			t.rows[r*t.dim+j] = rng.Float32()*0.2 - 0.1
		}
		t.pos[r] = -1
	}
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
		p := t.pos[r]
		if p < 0 {
			p = int32(len(t.dirty))
			t.pos[r] = p
			t.dirty = append(t.dirty, r)
			t.grads = append(t.grads, make([]float32, t.dim)...)
		}
		g := t.grads[int(p)*t.dim : int(p+1)*t.dim]
		w := fs[i].weight
		for j, v := range gx[:t.dim] {
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
	b1, b2, eps, alpha := a.beta1, a.beta2, a.eps, a.alpha
	for p, r := range t.dirty {
		d := t.dim
		w := t.rows[int(r)*d : int(r+1)*d]
		g := t.grads[p*d : (p+1)*d]
		m := t.mv[2*int(r)*d : (2*int(r)+1)*d]
		v := t.mv[(2*int(r)+1)*d : (2*int(r)+2)*d]
		for j := range w {
			gj := g[j]
			mj := b1*m[j] + (1-b1)*gj
			vj := b2*v[j] + (1-b2)*gj*gj
			m[j], v[j] = mj, vj
			w[j] -= alpha * mj / (float32(math.Sqrt(float64(vj))) + eps)
		}
		t.pos[r] = -1
	}
	t.dirty = t.dirty[:0]
	t.grads = t.grads[:0]
}
