package intents

import (
	"bufio"
	"os"
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
	if os.Getenv("EXP") == "" {
		t.Skip()
	}
	train := readTSV(t, "/work/shared/data/massive-fr/train.tsv")
	test := readTSV(t, "/work/shared/data/massive-fr/test.tsv")
	cfg := cfgFromEnv()
	start := time.Now()
	m, err := Train(train, cfg)
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	ok := 0
	start = time.Now()
	for _, ex := range test {
		r := m.Rank(ex.Text)
		if len(r) > 0 && r[0].Intent == ex.Intent {
			ok++
		}
	}
	t.Logf("train %v, acc %.4f, classify %v/text", el, float64(ok)/float64(len(test)), time.Since(start)/time.Duration(len(test)))
}

func TestExpCatalogue(t *testing.T) {
	if os.Getenv("EXP") == "" {
		t.Skip()
	}
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
	if x := os.Getenv("DROP"); x != "" {
		cfg.Dropout, _ = strconv.ParseFloat(x, 64)
	}
	if x := os.Getenv("SEED"); x != "" {
		cfg.Seed, _ = strconv.ParseUint(x, 10, 64)
	}
	if x := os.Getenv("CAP"); x != "" {
		cfg.ClassCap, _ = strconv.ParseFloat(x, 64)
	}
	b := 18
	envInt("BITS", &b)
	cfg.Spec.Buckets = 1 << b
	return cfg
}

func TestExpPolicy(t *testing.T) {
	if os.Getenv("EXP") == "" {
		t.Skip()
	}
	cat, _ := Builtin()
	dev, _ := ReadSource("testdata/dev.tsv", cat)
	m, err := Train(cat.Examples(), cfgFromEnv())
	if err != nil {
		t.Fatal(err)
	}
	var oos []Example
	for _, f := range []string{"train.tsv", "test.tsv"} {
		for _, ex := range readTSV(t, "/work/shared/data/massive-fr/"+f) {
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
	if os.Getenv("EXP") == "" {
		t.Skip()
	}
	cat, _ := Builtin()
	m, _ := Train(cat.Examples(), cfgFromEnv())
	c := NewClassifier(m)
	byIntent := map[string]int{}
	byScenario := map[string]int{}
	for _, ex := range readTSV(t, "/work/shared/data/massive-fr/train.tsv") {
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
