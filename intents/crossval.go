package intents

import (
	"errors"
	"fmt"
	"slices"
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
	// Logits are each example's output scores (before temperature) by its fold's network, in
	// the order of Labels; nil for a text with no usable feature.
	Logits [][]float32
	// LinearLogits are the same by its fold's linear scorer, when the folds trained one
	// (catalogues that are calibrated); nil otherwise.
	LinearLogits [][]float32
	// Share is the linear scorer's share in the scores that ranked returns (set by
	// Calibrate; 0: the network alone).
	Share float32
}

// CrossValidate trains k models, each on all the examples but one fold, and scores the
// held-out fold. Folds are stratified and grouped (see dealFolds).
func CrossValidate(examples []Example, cfg TrainConfig, k int) (*CrossValidation, error) {
	if k < 2 {
		return nil, fmt.Errorf("validation croisée : il faut au moins 2 plis, %d demandé", k)
	}
	labels, index := labelIndex(examples)
	cv := &CrossValidation{Folds: k, Labels: labels, Examples: examples,
		Fold: make([]int, len(examples)), Logits: make([][]float32, len(examples))}
	if cfg.Calibration.applies(len(examples)) {
		cv.LinearLogits = make([][]float32, len(examples))
	}
	cv.Fold = dealFolds(examples, index, len(labels), k)
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
	linear := cv.LinearLogits != nil
	if linear {
		m.trainLinear(train, cfg.Seed)
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
		words := Normalize(ex.Text)
		z := m.networkLogits(words)
		if z == nil {
			continue
		}
		cv.Logits[i] = fullLogits(z, col, len(cv.Labels))
		if linear {
			cv.LinearLogits[i] = fullLogits(m.linearLogits(m.linearInput(words)), col, len(cv.Labels))
		}
	}
	return nil
}

// fullLogits maps a fold model's scores onto the full label list (col[j]: the full index of
// the model's label j), the labels it lacks far below.
func fullLogits(z []float32, col []int, n int) []float32 {
	full := make([]float32, n)
	for j := range full {
		full[j] = -1e4
	}
	for j, v := range z {
		full[col[j]] = v
	}
	return full
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
		if cv.Share != 0 {
			v = (1-cv.Share)*v + cv.Share*cv.LinearLogits[i][j]
		}
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

// variantJaccard is the share of content words two examples of an intent must have in common
// to count as variants of one sentence ("éteins la lumière" / "olly éteins la lumière").
const variantJaccard = 0.6

// dealFolds assigns the examples to k folds. Variants of one sentence within an intent stay
// in one fold: a model that saw one would recognise the other, which says nothing of the
// texts customers will write, and would make the cross-validation reward memorising. The
// groups of each intent are dealt in order to the fold that has the fewest of its examples;
// an intent of fewer than k groups has its examples dealt in turn. Either way an intent of k
// examples or more is in every fold's training data.
func dealFolds(examples []Example, index map[string]int, labels, k int) []int {
	byIntent := make([][]int, labels)
	for i, ex := range examples {
		c := index[ex.Intent]
		byIntent[c] = append(byIntent[c], i)
	}
	fold := make([]int, len(examples))
	for _, members := range byIntent {
		words := make([][]string, len(members))
		for j, i := range members {
			words[j] = contentOf(examples[i].Text)
		}
		group := make([]int, len(members)) // the first member of each one's group
		for j := range members {
			group[j] = j
			for g := range j {
				if group[g] == g && variants(words[g], words[j]) {
					group[j] = g
					break
				}
			}
		}
		groups := 0
		for j := range group {
			if group[j] == j {
				groups++
			}
		}
		count := make([]int, k)
		at := make([]int, len(members)) // each group's fold
		for j, i := range members {
			if groups < k { // too few sentences to keep variants together: deal in turn
				at[j] = j % k
			} else if group[j] == j {
				at[j] = slices.Index(count, slices.Min(count))
			} else {
				at[j] = at[group[j]]
			}
			fold[i] = at[j]
			count[at[j]]++
		}
	}
	return fold
}

// variants says whether two sorted word sets share variantJaccard of their union.
func variants(a, b []string) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	shared := 0
	for _, w := range a {
		if _, ok := slices.BinarySearch(b, w); ok {
			shared++
		}
	}
	return float64(shared) >= variantJaccard*float64(len(a)+len(b)-shared)
}
