package intents

// The tuning harness: experiments behind the choices in DefaultTrainConfig and DefaultPolicy.
// They run only with EXP=1 and print figures rather than assert them, e.g.
//
//	EXP=1 EPOCHS=10 LR=0.005 go test -run TestExpMassive -v ./intents
//	EXP=1 go test -run 'TestExpPolicy|TestExpCV' -v ./intents
//
// MASSIVE fr-FR (train.tsv, test.tsv; not part of the repository) is read from the folder
// RELAIS_MASSIVE_DIR names, else from a default folder beside the checkout.

import (
	"bufio"
	"cmp"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func readTSV(t testing.TB, path string) []Example {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Example
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := strings.Split(sc.Text(), "\t")
		if len(p) == 2 {
			out = append(out, Example{p[0], p[1]})
		}
	}
	return out
}

func TestExpMassive(t *testing.T) {
	needExp(t)
	train := readTSV(t, filepath.Join(massiveDir(), "train.tsv"))
	test := readTSV(t, filepath.Join(massiveDir(), "test.tsv"))
	cfg := cfgFromEnv()
	start := time.Now()
	m, err := Train(train, cfg)
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	start = time.Now()
	acc := top1(m, test)
	t.Logf("train %v, acc %.4f, classify %v/text", el, acc, time.Since(start)/time.Duration(len(test)))
}

func TestExpCatalogue(t *testing.T) {
	needExp(t)
	cat, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	dev, err := ReadSource("testdata/dev.tsv", cat)
	if err != nil {
		t.Fatal(err)
	}
	cfg := cfgFromEnv()
	start := time.Now()
	m, err := Train(cat.Examples(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	ok := 0
	conf := map[string]int{}
	for _, ex := range dev {
		r := m.Rank(ex.Text)
		if len(r) > 0 && r[0].Intent == ex.Intent {
			ok++
		} else if len(r) > 0 {
			conf[ex.Intent+" -> "+r[0].Intent]++
		}
	}
	t.Logf("train %v, acc %.4f", el, float64(ok)/float64(len(dev)))
	for k, v := range conf {
		if v > 1 {
			t.Logf("%d %s", v, k)
		}
	}
}

func cfgFromEnv() TrainConfig {
	cfg := DefaultTrainConfig()
	envInt := func(k string, v *int) {
		if x := os.Getenv(k); x != "" {
			*v, _ = strconv.Atoi(x)
		}
	}
	envInt("EPOCHS", &cfg.Epochs)
	envInt("AVG", &cfg.Average)
	envInt("BATCH", &cfg.BatchSize)
	envInt("DIM", &cfg.Dim)
	envInt("HIDDEN", &cfg.Hidden)
	envInt("MINGRAM", &cfg.Spec.MinGram)
	envInt("MAXGRAM", &cfg.Spec.MaxGram)
	if x := os.Getenv("LR"); x != "" {
		cfg.LearningRate, _ = strconv.ParseFloat(x, 64)
	}
	if x := os.Getenv("CB"); x != "" {
		f, _ := strconv.ParseFloat(x, 64)
		cfg.Spec.CharBias = float32(f)
	}
	if os.Getenv("BIGRAMS") == "0" {
		cfg.Spec.Bigrams = false
	}
	if x := os.Getenv("DROP"); x != "" {
		cfg.Dropout, _ = strconv.ParseFloat(x, 64)
	}
	if x := os.Getenv("SEED"); x != "" {
		cfg.Seed, _ = strconv.ParseUint(x, 10, 64)
	}
	b := 18
	envInt("BITS", &b)
	cfg.Spec.Buckets = 1 << b
	return cfg
}

func TestExpPolicy(t *testing.T) {
	needExp(t)
	cat, _ := Builtin()
	dev, _ := ReadSource("testdata/dev.tsv", cat)
	m, err := Train(cat.Examples(), cfgFromEnv())
	if err != nil {
		t.Fatal(err)
	}
	var oos []Example
	for _, f := range []string{"train.tsv", "test.tsv"} {
		for _, ex := range readTSV(t, filepath.Join(massiveDir(), f)) {
			if ex.Intent != "general_greet" {
				oos = append(oos, Example{ex.Text, OutOfScopeIntentID})
			}
		}
	}
	for _, th := range []float64{0.1, 0.15, 0.2, 0.25, 0.3, 0.35} {
		c := NewClassifier(m)
		c.Policy.MinConfidence = th
		r := Evaluate(c, dev)
		o := Evaluate(c, oos)
		t.Logf("th %.2f: dev acc %.4f inscope-rej %.3f ece %.3f | massive rejected %.3f", th, r.Accuracy, r.InScopeRejectedRate, r.ECE, o.RejectedRate)
	}
}

func TestExpOOS(t *testing.T) {
	needExp(t)
	cat, _ := Builtin()
	m, _ := Train(cat.Examples(), cfgFromEnv())
	c := NewClassifier(m)
	byIntent := map[string]int{}
	byScenario := map[string]int{}
	for _, ex := range readTSV(t, filepath.Join(massiveDir(), "train.tsv")) {
		if ex.Intent == "general_greet" {
			continue
		}
		d := c.Classify(ex.Text)
		if !d.Rejected {
			byIntent[d.Intent]++
			byScenario[strings.SplitN(ex.Intent, "_", 2)[0]]++
		}
	}
	t.Log(byIntent)
	t.Log(byScenario)
}

// TestExpCV: 5-fold cross-validation on the catalogue's training examples, per-intent recall.
func TestExpCV(t *testing.T) {
	needExp(t)
	cat, _ := Builtin()
	all := cat.Examples()
	hits, total := map[string]int{}, map[string]int{}
	conf := map[string]int{}
	temps := []float32{0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}
	var models []*Model
	for fold := 0; fold < 5; fold++ {
		var train, test []Example
		for i, ex := range all {
			if i%5 == fold {
				test = append(test, ex)
			} else {
				train = append(train, ex)
			}
		}
		m, _ := Train(train, cfgFromEnv())
		models = append(models, m)
		c := NewClassifier(m)
		c.Policy.MinConfidence = 0.15
		for _, ex := range test {
			d := c.Classify(ex.Text)
			got := d.Intent
			if d.Rejected {
				got = "aucun"
			}
			total[ex.Intent]++
			if got == ex.Intent {
				hits[ex.Intent]++
			} else {
				conf[ex.Intent+">"+got]++
			}
		}
	}
	for _, temp := range temps {
		var nll float64
		var got []string
		var confs []float64
		for _, m := range models {
			m.Temperature = temp
		}
		// Evaluate each held-out example with the model of its fold.
		i := 0
		for fold := 0; fold < 5; fold++ {
			m := models[fold]
			for k, ex := range all {
				if k%5 != fold {
					continue
				}
				probs := m.probabilities(ex.Text)
				p := 1e-9
				best, bi := float32(-1), 0
				for j, q := range probs {
					if m.Labels[j] == ex.Intent {
						p = float64(q) + 1e-9
					}
					if q > best {
						best, bi = q, j
					}
				}
				nll -= math.Log(p)
				if probs == nil {
					got = append(got, "")
					confs = append(confs, 0)
				} else {
					got = append(got, m.Labels[bi])
					confs = append(confs, float64(best))
				}
				i++
			}
		}
		var ordered []Example
		for fold := 0; fold < 5; fold++ {
			for k, ex := range all {
				if k%5 == fold {
					ordered = append(ordered, ex)
				}
			}
		}
		t.Logf("T=%.1f nll %.4f ece %.4f", temp, nll/float64(i), calibrationError(ordered, got, confs))
	}
	type r struct {
		id  string
		rec float64
	}
	var rs []r
	for id, n := range total {
		rs = append(rs, r{id, float64(hits[id]) / float64(n)})
	}
	slices.SortFunc(rs, func(a, b r) int { return cmp.Compare(a.rec, b.rec) })
	for _, x := range rs[:30] {
		t.Logf("%.2f %s", x.rec, x.id)
	}
	var cs []string
	for k, v := range conf {
		if v >= 4 {
			cs = append(cs, fmt.Sprintf("%d %s", v, k))
		}
	}
	t.Log(strings.Join(cs, "; "))
}

func massiveDir() string {
	if dir := os.Getenv("RELAIS_MASSIVE_DIR"); dir != "" {
		return dir
	}
	return filepath.Join("..", "..", "shared", "data", "massive-fr")
}
