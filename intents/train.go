package intents

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nlpodyssey/spago/nn"
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
	Calibration  Calibration // used by TrainCalibrated and LoadOrTrain, not by Train
}

// DefaultTrainConfig is what `relais nlu train` uses; it was chosen on the catalogue dev set
// and on MASSIVE fr-FR (see the README's benchmark section). Hiding 60% of a text's features
// at each pass is what lets 20 epochs help rather than overfit; a lighter CharBias leaves
// the words more say over the bag.
func DefaultTrainConfig() TrainConfig {
	return TrainConfig{
		Seed: 1, Temperature: 0.8, Epochs: 20, BatchSize: 16, LearningRate: 0.008,
		Dim: 64, Hidden: 0, Dropout: 0.6, Average: 5,
		Spec:        featureSpec{Buckets: 1 << 18, MinGram: 3, MaxGram: 5, Bigrams: true, CharBias: 0.25},
		Calibration: Calibration{Folds: 3, MaxRejected: 0.05, MinExamples: 100, MaxExamples: 3000},
	}
}

// Train fits a classifier on examples, with the configured temperature and no calibration
// (see TrainCalibrated). Labels are taken in order of first appearance.
func Train(examples []Example, cfg TrainConfig) (*Model, error) {
	if len(examples) == 0 {
		return nil, errors.New("aucun exemple d'entraînement")
	}
	labels, index := labelIndex(examples)
	if len(labels) < 2 {
		return nil, fmt.Errorf("il faut au moins deux intentions, %d trouvée", len(labels))
	}
	emb := newTable(cfg.Dim, cfg.Seed)
	data, df := encode(examples, cfg.Spec, emb, index)
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

// encode extracts the examples' features and gives their buckets rows of emb: the examples
// that have features, and per row in how many of them its bucket appears.
func encode(examples []Example, spec featureSpec, emb *table, index map[string]int) ([]encoded, []float32) {
	data := make([]encoded, 0, len(examples))
	var df []float32
	for _, ex := range examples {
		fs := spec.extract(Normalize(ex.Text))
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
	return data, df
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
