package intents_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/relais/relais/intents"
)

// BenchmarkClassify classifies the dev set's texts one after the other with the built-in
// model: normalisation, features, the network and the decision policy.
func BenchmarkClassify(b *testing.B) {
	c := classifier(b)
	dev, err := intents.ReadSource("testdata/dev.tsv", builtin(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Classify(dev[i%len(dev)].Text)
		i++
	}
}

// BenchmarkTrain trains the built-in catalogue.
func BenchmarkTrain(b *testing.B) {
	examples := builtin(b).Examples()
	for b.Loop() {
		if _, err := intents.Train(examples, intents.DefaultTrainConfig()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrainCalibrated trains a designer-sized bot (the built-in catalogue cut to 15
// examples per intent, 1,140 texts) with its cross-validated calibration (3 folds).
func BenchmarkTrainCalibrated(b *testing.B) {
	examples := smallBot(b, 15)
	for b.Loop() {
		if _, err := intents.TrainCalibrated(examples, intents.DefaultTrainConfig()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrainMassive trains on MASSIVE fr-FR train.tsv (9,200 texts), read from the folder
// RELAIS_MASSIVE_DIR names (the data set is not part of the repository; without the variable a
// default folder beside the checkout is tried); skipped when absent.
func BenchmarkTrainMassive(b *testing.B) {
	dir := os.Getenv("RELAIS_MASSIVE_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data", "massive-fr")
	}
	examples, err := intents.ReadSource(filepath.Join(dir, "train.tsv"), nil)
	if err != nil {
		b.Skipf("MASSIVE not found: %v", err)
	}
	for b.Loop() {
		if _, err := intents.Train(examples, intents.DefaultTrainConfig()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClassifySmallBot classifies the dev set's texts with a designer-sized bot (the
// built-in catalogue cut to 15 examples per intent, calibrated: the network mixed with the
// linear scorer in the share its cross-validation chose).
func BenchmarkClassifySmallBot(b *testing.B) {
	m, err := intents.TrainCalibrated(smallBot(b, 15), intents.DefaultTrainConfig())
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("linear share %v", m.LinearShare)
	c := intents.NewClassifier(m)
	dev, err := intents.ReadSource("testdata/dev.tsv", builtin(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		c.Classify(dev[i%len(dev)].Text)
		i++
	}
}
