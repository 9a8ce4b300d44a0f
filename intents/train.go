package intents

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nlpodyssey/spago/ag"
	"github.com/nlpodyssey/spago/initializers"
	"github.com/nlpodyssey/spago/losses"
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
	Spec         featureSpec
}

// DefaultTrainConfig is what `relais nlu train` uses; it was chosen on the catalogue dev set
// and on MASSIVE fr-FR (see the README's benchmark section).
func DefaultTrainConfig() TrainConfig {
	return TrainConfig{
		Seed: 1, Epochs: 5, BatchSize: 16, LearningRate: 0.01,
		Dim: 64, Hidden: 0,
		Spec: featureSpec{Buckets: 1 << 18, MinGram: 3, MaxGram: 5, Bigrams: true, CharBias: 0.5},
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
	idf, maxIDF := inverseFrequencies(df, len(data))
	for _, ex := range data {
		weigh(ex.features, func(b uint32) float32 { return idf[emb.slot[b]] })
	}
	net := newNetwork(cfg, len(labels))
	if err := fit(net, emb, data, cfg); err != nil {
		return nil, err
	}
	m := exportModel(net, emb, cfg, labels)
	m.IDF, m.MaxIDF = idf, maxIDF
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

// scores returns the class scores of a bag, as an autograd node.
func (n *network) scores(x mat.Tensor) mat.Tensor {
	if n.Hidden != nil {
		x = ag.Tanh(ag.Affine(n.Hidden.B, n.Hidden.W, x))
	}
	return ag.Affine(n.Out.B, n.Out.W, x)
}

// fit runs mini-batch training: for each text, the bag is computed from the table, spago
// runs the network forward and backward, and the bag's gradient goes back to the table rows.
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
	bag := make([]float32, cfg.Dim)
	drop := dropout{p: float32(cfg.Dropout), rng: rand.New(rand.NewPCG(cfg.Seed, 0xd0))}
	for step, epoch := 0, 0; epoch < cfg.Epochs; epoch++ {
		shuffle.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for start := 0; start < len(order); start += cfg.BatchSize {
			for _, k := range order[start:min(start+cfg.BatchSize, len(order))] {
				ex := drop.apply(data[k])
				emb.bag(ex.rows, ex.features, bag)
				x := mat.NewDense[float32](mat.WithShape(cfg.Dim, 1), mat.WithBacking(bag), mat.WithGrad(true))
				if err := ag.Backward(losses.CrossEntropy(net.scores(x), ex.label)); err != nil {
					return err
				}
				emb.accumulate(ex.rows, ex.features, mat.Data[float32](x.Grad()))
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
	return nil
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
	p        float32
	rng      *rand.Rand
	features []feature
	rows     []int32
}

func (d *dropout) apply(ex encoded) encoded {
	if d.p == 0 {
		return ex
	}
	d.features, d.rows = d.features[:0], d.rows[:0]
	var total float32
	for i, f := range ex.features {
		if d.rng.Float32() >= d.p {
			d.features = append(d.features, f)
			d.rows = append(d.rows, ex.rows[i])
			total += f.weight
		}
	}
	if len(d.features) == 0 {
		return ex
	}
	for i := range d.features {
		d.features[i].weight /= total
	}
	return encoded{features: d.features, rows: d.rows, label: ex.label}
}
