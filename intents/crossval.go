package intents

import (
	"errors"
	"fmt"
	"sync"
)

// CrossValidation holds the out-of-fold predictions of a K-fold cross-validation: every
// example scored by a model that never saw it. Calibrate chooses a policy from them and
// `relais nlu eval --cv` reports them per intent.
type CrossValidation struct {
	Folds    int
	Labels   []string  // intent ids, in order of first appearance in the examples
	Examples []Example // the examples, in their original order
	Fold     []int     // the fold of each example
	// Logits are each example's output scores (before temperature) by its fold's model, in
	// the order of Labels; nil for a text with no usable feature.
	Logits [][]float32
}

// CrossValidate trains k models, each on all the examples but one fold, and scores the
// held-out fold. Folds are stratified: the examples of each intent are dealt to the folds in
// turn, so that every intent with at least k examples is in every fold's training data.
func CrossValidate(examples []Example, cfg TrainConfig, k int) (*CrossValidation, error) {
	if k < 2 {
		return nil, fmt.Errorf("validation croisée : il faut au moins 2 plis, %d demandé", k)
	}
	labels, index := labelIndex(examples)
	cv := &CrossValidation{Folds: k, Labels: labels, Examples: examples,
		Fold: make([]int, len(examples)), Logits: make([][]float32, len(examples))}
	seen := make([]int, len(labels))
	for i, ex := range examples {
		c := index[ex.Intent]
		cv.Fold[i] = seen[c] % k
		seen[c]++
	}
	// The folds' models are independent: two train at a time (the machines have two cores
	// or more; training itself is single-threaded).
	errs := make([]error, k)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for fold := range k {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[fold] = cv.runFold(fold, cfg, index)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return cv, nil
}

// runFold trains on every fold but one and scores the examples of that one.
func (cv *CrossValidation) runFold(fold int, cfg TrainConfig, index map[string]int) error {
	var train []Example
	for i, ex := range cv.Examples {
		if cv.Fold[i] != fold {
			train = append(train, ex)
		}
	}
	m, err := Train(train, cfg)
	if err != nil {
		return fmt.Errorf("validation croisée, pli %d : %w", fold+1, err)
	}
	// The fold's model may lack an intent whose examples all fell in this fold; its scores
	// are mapped onto the full label list, with the missing intents far below.
	col := make([]int, len(m.Labels))
	for j, l := range m.Labels {
		col[j] = index[l]
	}
	for i, ex := range cv.Examples {
		if cv.Fold[i] != fold {
			continue
		}
		z := m.logits(ex.Text)
		if z == nil {
			continue
		}
		full := make([]float32, len(cv.Labels))
		for j := range full {
			full[j] = -1e4
		}
		for j, v := range z {
			full[col[j]] = v
		}
		cv.Logits[i] = full
	}
	return nil
}

// ranked returns example i's intents ranked by probability at temperature t, nil when the
// text had no usable feature.
func (cv *CrossValidation) ranked(i int, t float32) []Score {
	z := cv.Logits[i]
	if z == nil {
		return nil
	}
	p := make([]float32, len(z))
	for j, v := range z {
		p[j] = v / t
	}
	p = softmax(p)
	out := make([]Score, len(p))
	for j, v := range p {
		out[j] = Score{Intent: cv.Labels[j], Confidence: float64(v)}
	}
	sortScores(out)
	return out
}
