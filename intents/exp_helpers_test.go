package intents

import (
	"os"
	"path/filepath"
	"testing"
)

// The experiments (*_exp_test.go) run with EXP=1 only. Most train on FEW_TRAIN, a cut of
// MASSIVE made by bench/nlu/cut.sh, and measure top-1 on MASSIVE's test.tsv (massiveDir):
//
//	bench/nlu/cut.sh 15 < ../shared/data/massive-fr/train.tsv > /tmp/cut15.tsv
//	EXP=1 FEW_TRAIN=/tmp/cut15.tsv go test -run TestExpNB -v ./intents

// needExp skips the test unless EXP is set.
func needExp(t *testing.T) {
	t.Helper()
	if os.Getenv("EXP") == "" {
		t.Skip("experiment: EXP=1 only")
	}
}

// fewTrain is the training cut FEW_TRAIN; the test is skipped without EXP and FEW_TRAIN.
func fewTrain(t *testing.T) []Example {
	t.Helper()
	needExp(t)
	if os.Getenv("FEW_TRAIN") == "" {
		t.Skip("experiment: FEW_TRAIN=cut.tsv only")
	}
	return readTSV(t, os.Getenv("FEW_TRAIN"))
}

// fewData is the training cut FEW_TRAIN and MASSIVE's test set, as fewTrain.
func fewData(t *testing.T) (train, test []Example) {
	t.Helper()
	return fewTrain(t), readTSV(t, filepath.Join(massiveDir(), "test.tsv"))
}

// expTrain is the model trained on train with the settings of the environment (cfgFromEnv).
func expTrain(t *testing.T, train []Example) *Model {
	t.Helper()
	m, err := Train(train, cfgFromEnv())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// networkAloneWithLinear0 trains the network alone (linearShares {0}) when LINEAR=0, until
// the test ends.
func networkAloneWithLinear0(t *testing.T) {
	if os.Getenv("LINEAR") != "0" {
		return
	}
	kept := linearShares
	linearShares = []float32{0}
	t.Cleanup(func() { linearShares = kept })
}

// top1 is the share of examples whose intent m ranks first.
func top1(m *Model, examples []Example) float64 {
	ok := 0
	for _, ex := range examples {
		if r := m.Rank(ex.Text); len(r) > 0 && r[0].Intent == ex.Intent {
			ok++
		}
	}
	return float64(ok) / float64(len(examples))
}

// labelNumbers maps each of m's labels to its index in m.Labels.
func labelNumbers(m *Model) map[string]int {
	n := map[string]int{}
	for i, l := range m.Labels {
		n[l] = i
	}
	return n
}

// bestMixed is the label whose probability, alpha·p[c] + (1−alpha)·net[c], is the highest;
// with no network probabilities (net nil), p's alone.
func bestMixed(p, net []float32, alpha float32) int {
	bi, bv := 0, float32(-1)
	for c := range p {
		v := alpha * p[c]
		if net != nil {
			v += (1 - alpha) * net[c]
		}
		if v > bv {
			bi, bv = c, v
		}
	}
	return bi
}
