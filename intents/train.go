package intents

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nlpodyssey/spago/ag"
	"github.com/nlpodyssey/spago/initializers"
	"github.com/nlpodyssey/spago/mat"
	spagorand "github.com/nlpodyssey/spago/mat/rand"
	"github.com/nlpodyssey/spago/nn"
	"github.com/nlpodyssey/spago/nn/linear"
	"github.com/nlpodyssey/spago/optimizers/adam"
)

// Example is one labelled text.
type Example struct {
	Text   string
	Intent string
}

// TrainConfig holds the classifier's hyper-parameters. The same config, data and seed always
// give the same model.
type TrainConfig struct {
	Seed         uint64
	Epochs       int
	BatchSize    int
	LearningRate float64
	Dim          int
	Hidden       int
	Dropout      float64 // share of a text's features hidden at each training pass
	Temperature  float32 // of the trained model's softmax (see Model)
	Average      int     // average the weights over this many last epochs (0: keep the last)
	Spec         featureSpec
}

// DefaultTrainConfig is what `relais nlu train` uses; it was chosen on the catalogue dev set
// and on MASSIVE fr-FR (see the README's benchmark section). Hiding 60% of a text's features
// at each pass is what lets 20 epochs help rather than overfit; a lighter CharBias leaves
// the words more say over the bag.
func DefaultTrainConfig() TrainConfig {
	return TrainConfig{
		Seed: 1, Temperature: 0.8, Epochs: 20, BatchSize: 16, LearningRate: 0.008,
		Dim: 64, Hidden: 0, Dropout: 0.6, Average: 5,
		Spec: featureSpec{Buckets: 1 << 18, MinGram: 3, MaxGram: 5, Bigrams: true, CharBias: 0.25},
	}
}

// network is the part of the model that spago differentiates: an optional tanh layer and a
// linear layer whose scores feed a softmax cross-entropy. Its input is the bag of feature
// embeddings, kept in a sparse table beside it.
type network struct {
	nn.Module
	Hidden *linear.Model
	Out    *linear.Model
}

// Train fits a classifier on examples. Labels are taken in order of first appearance.
func Train(examples []Example, cfg TrainConfig) (*Model, error) {
	if len(examples) == 0 {
		return nil, errors.New("aucun exemple d'entraînement")
	}
	labels, index := labelIndex(examples)
	if len(labels) < 2 {
		return nil, fmt.Errorf("il faut au moins deux intentions, %d trouvée", len(labels))
	}
	emb := newTable(cfg.Dim, cfg.Seed)
	data := make([]encoded, 0, len(examples))
	var df []float32 // per row: in how many texts its bucket appears
	for _, ex := range examples {
		fs := cfg.Spec.extract(Normalize(ex.Text))
		if len(fs) == 0 {
			continue
		}
		rows := make([]int32, len(fs))
		for i, f := range fs {
			rows[i] = emb.row(f.bucket)
			if int(rows[i]) == len(df) {
				df = append(df, 0)
			}
			df[rows[i]]++
		}
		data = append(data, encoded{features: fs, rows: rows, label: index[ex.Intent]})
	}
	df = emb.renumber(df, data)
	emb.alloc()
	idf, maxIDF := inverseFrequencies(df, len(data))
	for _, ex := range data {
		weigh(ex.features, func(i int) float32 { return idf[ex.rows[i]] })
	}
	net := newNetwork(cfg, len(labels))
	if err := fit(net, emb, data, cfg); err != nil {
		return nil, err
	}
	m := exportModel(net, emb, cfg, labels)
	m.IDF, m.MaxIDF = idf, maxIDF
	m.Temperature = cfg.Temperature
	m.buildIndex()
	return m, nil
}

// inverseFrequencies returns the smoothed IDF of each row, and that of an unseen bucket.
func inverseFrequencies(df []float32, texts int) ([]float32, float32) {
	n := float64(texts)
	idf := make([]float32, len(df))
	for i, d := range df {
		idf[i] = float32(math.Log((n+1)/(float64(d)+1)) + 1)
	}
	return idf, float32(math.Log(n+1) + 1)
}

type encoded struct {
	features []feature
	rows     []int32 // the features' rows in the embedding table
	label    int
}

func labelIndex(examples []Example) ([]string, map[string]int) {
	index := map[string]int{}
	var labels []string
	for _, ex := range examples {
		if _, ok := index[ex.Intent]; !ok {
			index[ex.Intent] = len(labels)
			labels = append(labels, ex.Intent)
		}
	}
	return labels, index
}

func newNetwork(cfg TrainConfig, classes int) *network {
	rng := spagorand.NewLockedRand(cfg.Seed)
	net := &network{}
	in := cfg.Dim
	if cfg.Hidden > 0 {
		net.Hidden = linear.New[float32](cfg.Dim, cfg.Hidden)
		initializers.XavierUniform(net.Hidden.W, 1, rng)
		in = cfg.Hidden
	}
	net.Out = linear.New[float32](in, classes)
	initializers.XavierUniform(net.Out.W, 1, rng)
	return net
}

// fit runs mini-batch training. The bags of a batch are the columns of one matrix, so that
// spago builds a single small graph per batch (building one per text cost more than the
// arithmetic); the bags' gradients then go back to the table rows.
func fit(net *network, emb *table, data []encoded, cfg TrainConfig) error {
	strategy := adam.New(adam.NewConfig(cfg.LearningRate, 0.9, 0.999, 1e-8))
	dense := []*nn.Param{net.Out.W, net.Out.B}
	if net.Hidden != nil {
		dense = append(dense, net.Hidden.W, net.Hidden.B)
	}
	shuffle := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	order := make([]int, len(data))
	for i := range order {
		order[i] = i
	}
	steps := cfg.Epochs * ((len(data) + cfg.BatchSize - 1) / cfg.BatchSize)
	drop := dropout{p: float32(cfg.Dropout), rng: rand.New(rand.NewPCG(cfg.Seed, 0xd0))}
	batch := make([]encoded, 0, cfg.BatchSize)
	avg := newAverager(net, emb)
	for step, epoch := 0, 0; epoch <= cfg.Epochs; epoch++ {
		if epoch > 0 && epoch > cfg.Epochs-cfg.Average {
			avg.add()
		}
		if epoch == cfg.Epochs {
			break
		}
		shuffle.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for start := 0; start < len(order); start += cfg.BatchSize {
			batch = batch[:0]
			for _, k := range order[start:min(start+cfg.BatchSize, len(order))] {
				batch = append(batch, drop.apply(data[k], len(batch)))
			}
			if err := net.backward(emb, batch, cfg); err != nil {
				return err
			}
			// Linear decay of the step size towards zero over the whole run.
			stepSize := cfg.LearningRate * (1 - float64(step)/float64(steps))
			emb.step(stepSize)
			strategy.StepSize = stepSize
			strategy.IncExample()
			for _, p := range dense {
				if err := strategy.OptimizeParams(p); err != nil {
					return err
				}
			}
			step++
		}
	}
	avg.apply()
	return nil
}

// backward has spago compute the summed cross-entropy of a batch and its gradients, then
// hands each text's bag gradient to the table.
func (n *network) backward(emb *table, batch []encoded, cfg TrainConfig) error {
	b, dim := len(batch), cfg.Dim
	// The bags are made one per row of bagRows, where they are contiguous, then
	// transposed: each column of x is a text.
	bagRows := make([]float32, dim*b)
	for k, ex := range batch {
		emb.bag(ex.rows, ex.features, bagRows[k*dim:(k+1)*dim])
	}
	bags := transpose(bagRows, b, dim)
	x := mat.NewDense[float32](mat.WithShape(dim, b), mat.WithBacking(bags), mat.WithGrad(true))
	ones := mat.NewDense[float32](mat.WithShape(1, b), mat.WithBacking(filled(b, 1)))
	var h mat.Tensor = x
	if n.Hidden != nil {
		h = ag.Tanh(ag.Add(ag.Mul(n.Hidden.W, h), ag.Mul(n.Hidden.B, ones)))
	}
	scores := ag.Add(ag.Mul(n.Out.W, h), ag.Mul(n.Out.B, ones))
	classes := scores.Shape()[0]
	// Subtracting each column's maximum, a constant, keeps exp finite without changing
	// the gradient.
	sv := mat.Data[float32](scores.Value())
	shift := make([]float32, classes*b)
	for k := range b {
		top := sv[k]
		for c := 1; c < classes; c++ {
			top = max(top, sv[c*b+k])
		}
		for c := range classes {
			shift[c*b+k] = top
		}
	}
	gold := make([]float32, classes*b)
	for k, ex := range batch {
		gold[ex.label*b+k] = 1
	}
	// Sums go through products with rows of ones: spago's ReduceSum hands back a gradient
	// shaped as a vector, which the matrix operators before it refuse.
	sumClasses := mat.NewDense[float32](mat.WithShape(1, classes), mat.WithBacking(filled(classes, 1)))
	z := ag.Sub(scores, mat.NewDense[float32](mat.WithShape(classes, b), mat.WithBacking(shift)))
	logSumExp := ag.Log(ag.Mul(sumClasses, ag.Exp(z)))
	goldZ := ag.Mul(sumClasses, ag.Prod(z, mat.NewDense[float32](mat.WithShape(classes, b), mat.WithBacking(gold))))
	// log Σ_c exp(z) − z_gold is each text's cross-entropy; the batch's loss is their sum.
	loss := ag.Mul(ag.Sub(logSumExp, goldZ), mat.NewDense[float32](mat.WithShape(b, 1), mat.WithBacking(filled(b, 1))))
	if err := ag.Backward(loss); err != nil {
		return err
	}
	gx := transpose(mat.Data[float32](x.Grad()), dim, b)
	for k, ex := range batch {
		emb.accumulate(ex.rows, ex.features, gx[k*dim:(k+1)*dim])
	}
	return nil
}

// transpose returns the transpose of a row-major rows×cols matrix.
func transpose(a []float32, rows, cols int) []float32 {
	t := make([]float32, len(a))
	for i := range rows {
		for j, v := range a[i*cols : (i+1)*cols] {
			t[j*rows+i] = v
		}
	}
	return t
}

func filled(n int, v float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = v
	}
	return s
}

func exportModel(net *network, emb *table, cfg TrainConfig, labels []string) *Model {
	m := &Model{Labels: labels, Spec: cfg.Spec, Dim: cfg.Dim, Hidden: cfg.Hidden}
	m.Rows = make(map[uint32]int32, len(emb.slot))
	for bucket, r := range emb.slot {
		m.Rows[bucket] = r
	}
	m.Emb = emb.rows
	if net.Hidden != nil {
		m.W1, m.B1 = floats(net.Hidden.W), floats(net.Hidden.B)
	}
	m.W2, m.B2 = floats(net.Out.W), floats(net.Out.B)
	return m
}

func floats(p *nn.Param) []float32 {
	return mat.Data[float32](p.Value())
}

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
