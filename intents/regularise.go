package intents

import "math/rand/v2"

// dropout hides a random share of a text's features at each pass, so that the model learns
// from every feature of a text rather than leaning on one n-gram it memorised.
type dropout struct {
	p   float32
	rng *rand.Rand
	// One buffer per place in the batch: the kept features must outlive the batch's pass.
	features [][]feature
	rows     [][]int32
}

// apply returns ex with some features hidden, using the buffers of place slot in the batch.
func (d *dropout) apply(ex encoded, slot int) encoded {
	if d.p == 0 {
		return ex
	}
	for len(d.features) <= slot {
		d.features, d.rows = append(d.features, nil), append(d.rows, nil)
	}
	fs, rows := d.features[slot][:0], d.rows[slot][:0]
	var total float32
	for i, f := range ex.features {
		if d.rng.Float32() >= d.p {
			fs = append(fs, f)
			rows = append(rows, ex.rows[i])
			total += f.weight
		}
	}
	d.features[slot], d.rows[slot] = fs, rows
	if len(fs) == 0 {
		return ex
	}
	for i := range fs {
		fs[i].weight /= total
	}
	return encoded{features: fs, rows: rows, label: ex.label}
}

// averager keeps the running mean of the weights at the end of the last epochs: the mean
// of nearby solutions generalises a little better than the last one alone.
type averager struct {
	params [][]float32 // the live weights: table rows, then dense layers
	sums   [][]float32
	n      int
}

func newAverager(net *network, emb *table) *averager {
	a := &averager{params: [][]float32{emb.rows, floats(net.Out.W), floats(net.Out.B)}}
	if net.Hidden != nil {
		a.params = append(a.params, floats(net.Hidden.W), floats(net.Hidden.B))
	}
	return a
}

func (a *averager) add() {
	if a.sums == nil {
		for _, p := range a.params {
			a.sums = append(a.sums, make([]float32, len(p)))
		}
	}
	for i, p := range a.params {
		for j, v := range p {
			a.sums[i][j] += v
		}
	}
	a.n++
}

// apply replaces the weights by their mean, when there is one.
func (a *averager) apply() {
	if a.n < 2 {
		return
	}
	for i, p := range a.params {
		for j := range p {
			p[j] = a.sums[i][j] / float32(a.n)
		}
	}
}
