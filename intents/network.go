package intents

import (
	"github.com/nlpodyssey/spago/ag"
	"github.com/nlpodyssey/spago/initializers"
	"github.com/nlpodyssey/spago/mat"
	spagorand "github.com/nlpodyssey/spago/mat/rand"
	"github.com/nlpodyssey/spago/nn"
	"github.com/nlpodyssey/spago/nn/linear"
)

// network is the part of the model that spago differentiates: an optional tanh layer and a
// linear layer whose scores feed a softmax cross-entropy. Its input is the bag of feature
// embeddings, kept in a sparse table beside it.
type network struct {
	nn.Module
	Hidden *linear.Model
	Out    *linear.Model
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

func floats(p *nn.Param) []float32 {
	return mat.Data[float32](p.Value())
}
