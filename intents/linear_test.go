package intents

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"testing"
)

// TestDealFoldsKeepsVariantsTogether: two wordings of one sentence are held out together,
// and an intent's distinct sentences are spread over the folds.
func TestDealFoldsKeepsVariantsTogether(t *testing.T) {
	examples := []Example{
		{"éteins la lumière du salon", "off"},
		{"olly éteins la lumière du salon", "off"},
		{"coupe le chauffage", "off"},
		{"arrête la musique", "off"},
		{"allume la lumière", "on"},
		{"mets le chauffage", "on"},
		{"lance la radio", "on"},
	}
	labels, index := labelIndex(examples)
	fold := dealFolds(examples, index, len(labels), 3)
	if fold[0] != fold[1] {
		t.Errorf("variants in folds %d and %d, want one fold", fold[0], fold[1])
	}
	for _, group := range [][]int{{0, 2, 3}, {4, 5, 6}} {
		seen := map[int]bool{}
		for _, i := range group {
			seen[fold[i]] = true
		}
		if len(seen) != 3 {
			t.Errorf("examples %v in folds %v, want all three folds", group, fold)
		}
	}
}

// toyBot is a bot of n intents of 20 examples each; intent i's examples share the word
// "motX" (X its letter) and otherwise differ.
func toyBot(n int) []Example {
	var out []Example
	for i := range n {
		for j := range 20 {
			out = append(out, Example{fmt.Sprintf("mot%c autre%c chose%c", 'a'+i, 'a'+j, 'a'+j%7), fmt.Sprintf("i%d", i)})
		}
	}
	return out
}

// TestLinearScorer: alone (share 1), the linear scorer recognises its intents' words, and
// a saved model keeps it.
func TestLinearScorer(t *testing.T) {
	examples := toyBot(5)
	m, err := Train(examples, DefaultTrainConfig())
	if err != nil {
		t.Fatal(err)
	}
	m.trainLinear(examples, 1)
	m.LinearShare = 1
	for i := range 5 {
		text := fmt.Sprintf("mot%c nouveau", 'a'+i)
		if r := m.Rank(text); len(r) == 0 || r[0].Intent != fmt.Sprintf("i%d", i) {
			t.Errorf("Rank(%q) = %v, want i%d first", text, r, i)
		}
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(savedModel{Model: m}); err != nil {
		t.Fatal(err)
	}
	read, _, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if read.LinearShare != 1 || len(read.Lin) != len(m.Lin) {
		t.Errorf("read back: share %v, %d weights; want 1, %d", read.LinearShare, len(read.Lin), len(m.Lin))
	}
	m.Lin = m.Lin[:len(m.Lin)-1]
	if err := m.check(); err == nil {
		t.Error("check: a truncated linear scorer passed")
	}
}

// TestCalibrateChoosesShare: the calibration tries the linear scorer's shares and keeps the
// one that serves best out of fold; without linear scores it keeps the network alone.
func TestCalibrateChoosesShare(t *testing.T) {
	examples := toyBot(6)
	cfg := DefaultTrainConfig()
	cv, err := CrossValidate(examples, cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	if cv.LinearLogits == nil {
		t.Fatal("a bot of 120 examples: got no linear scores in its folds")
	}
	r := cv.Calibrate(cfg.Calibration.MaxRejected)
	if cv.Share != r.LinearShare {
		t.Errorf("cv.Share %v, want the chosen %v", cv.Share, r.LinearShare)
	}
	m, err := TrainCalibrated(examples, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if m.LinearShare != m.Calibration.LinearShare || (m.LinearShare > 0) != (len(m.Lin) > 0) {
		t.Errorf("model share %v with %d weights, calibration %v", m.LinearShare, len(m.Lin), m.Calibration.LinearShare)
	}
	cv.LinearLogits = nil
	if r := cv.Calibrate(cfg.Calibration.MaxRejected); r.LinearShare != 0 {
		t.Errorf("no linear scores: got share %v, want 0", r.LinearShare)
	}
}

// TestDealFoldsAllVariants: an intent whose examples are all wordings of one sentence is still
// in every fold's training data.
func TestDealFoldsAllVariants(t *testing.T) {
	var examples []Example
	for i := range 6 {
		examples = append(examples, Example{fmt.Sprintf("je veux %d billets", i), "billets"})
		examples = append(examples, Example{fmt.Sprintf("texte%c", 'a'+i), "autre"})
	}
	labels, index := labelIndex(examples)
	fold := dealFolds(examples, index, len(labels), 3)
	seen := map[int]bool{}
	for i, ex := range examples {
		if ex.Intent == "billets" {
			seen[fold[i]] = true
		}
	}
	if len(seen) != 3 {
		t.Errorf("folds %v: want the variants spread over the three folds", fold)
	}
}
