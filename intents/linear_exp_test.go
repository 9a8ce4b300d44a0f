package intents

import (
	"os"
	"strconv"
	"testing"
	"time"
)

// TestExpLinear: top-1 on MASSIVE test of the network, the linear scorer and their mixes, and
// the linear scorer's training time. EXP=1 FEW_TRAIN=cut.tsv only.
func TestExpLinear(t *testing.T) {
	train, test := fewData(t)
	m := expTrain(t, train)
	start := time.Now()
	m.trainLinear(train, 1)
	t.Logf("linear scorer trained in %v (%d rows)", time.Since(start), len(m.IDF))
	for _, s := range linearShares {
		m.LinearShare = s
		t.Logf("share %.2f: top-1 %.4f", s, top1(m, test))
	}
}

// TestExpLinearCV: out-of-fold (3 folds) top-1 of the linear scorer alone and of the mix
// Calibrate chooses, on the training cut only, for a grid of the linear scorer's settings.
func TestExpLinearCV(t *testing.T) {
	train := fewTrain(t)
	cfg := cfgFromEnv()
	type setting struct {
		epochs      int
		rate        float64
		decay, char float32
	}
	for _, s := range []setting{
		{30, 1, 1e-4, 0.5}, {15, 1, 1e-4, 0.5}, {30, 2, 1e-4, 0.5}, {30, 0.5, 1e-4, 0.5},
		{30, 1, 1e-3, 0.5}, {30, 1, 1e-5, 0.5}, {30, 1, 1e-4, 0.25}, {30, 1, 1e-4, 1},
		{15, 1, 1e-4, 1}, {30, 1, 1e-4, 1.5}, {15, 1, 1e-4, 1.5}, {30, 1, 1e-4, 2}, {15, 1, 1e-3, 1.5},
	} {
		linearEpochs, linearRate, linearDecay, linearCharWeight = s.epochs, s.rate, s.decay, s.char
		cv, err := CrossValidate(train, cfg, 3)
		if err != nil {
			t.Fatal(err)
		}
		outOfFold := func() float64 {
			ok := 0
			for i, ex := range cv.Examples {
				if r := cv.ranked(i, 1); len(r) > 0 && r[0].Intent == ex.Intent {
					ok++
				}
			}
			return float64(ok) / float64(len(cv.Examples))
		}
		cv.Share = 1
		alone := outOfFold()
		r := cv.Calibrate(cfg.Calibration.MaxRejected)
		t.Logf("%+v: linear alone %.4f, mix %.2f top-1 %.4f, calibrated accuracy %.4f", s, alone, r.LinearShare, outOfFold(), r.Accuracy)
	}
}

// TestExpFolds prints how many examples dealFolds keeps with a variant of theirs.
func TestExpFolds(t *testing.T) {
	train := fewTrain(t)
	labels, index := labelIndex(train)
	fold := dealFolds(train, index, len(labels), 3)
	n := make([]int, 3)
	for _, f := range fold {
		n[f]++
	}
	t.Logf("%d examples, folds %v", len(train), n)
}

// TestExpUnseen: top-1 of the network when unseen features do not count in the bag's mean.
func TestExpUnseen(t *testing.T) {
	train, test := fewData(t)
	m := expTrain(t, train)
	for _, unseen := range []float32{1, 0.5, 0} {
		keep := m.MaxIDF
		m.MaxIDF = keep * unseen
		t.Logf("unseen weight %.1f: top-1 %.4f", unseen, top1(m, test))
		m.MaxIDF = keep
	}
}

// TestExpBuiltinEval: the built-in catalogue trained as `relais nlu eval` trains it, scored on
// the dev set with its policy.
func TestExpBuiltinEval(t *testing.T) {
	needExp(t)
	cat, _ := Builtin()
	dev, _ := ReadSource("testdata/dev.tsv", cat)
	m, err := TrainCalibrated(cat.Examples(), DefaultTrainConfig())
	if err != nil {
		t.Fatal(err)
	}
	r := Evaluate(NewClassifier(m), dev)
	t.Logf("dev accuracy %.4f, in-scope rejected %.3f, p50 %.1f µs, linear share %v", r.Accuracy, r.InScopeRejectedRate, r.ClassifyUsP50, m.LinearShare)
}

// TestExpSmallBuiltin: the built-in catalogue cut to its first N (default 15) examples per
// intent, calibrated, scored on the dev set; LINEAR=0 keeps the network alone.
func TestExpSmallBuiltin(t *testing.T) {
	needExp(t)
	networkAloneWithLinear0(t)
	n := 15
	if x := os.Getenv("N"); x != "" {
		n, _ = strconv.Atoi(x)
	}
	cat, _ := Builtin()
	dev, _ := ReadSource("testdata/dev.tsv", cat)
	var train []Example
	for _, in := range cat.Intents {
		for _, text := range in.Examples[:min(n, len(in.Examples))] {
			train = append(train, Example{text, in.ID})
		}
	}
	m, err := TrainCalibrated(train, cfgFromEnv())
	if err != nil {
		t.Fatal(err)
	}
	r := Evaluate(NewClassifier(m), dev)
	t.Logf("%d examples: dev accuracy %.4f, rejected %.3f, p50 %.1f µs, %+v", len(train), r.Accuracy, r.InScopeRejectedRate, r.ClassifyUsP50, m.Calibration)
}
