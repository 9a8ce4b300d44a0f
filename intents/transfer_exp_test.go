package intents

import "testing"

// trainFrom is Train with the embedding rows of buckets that the pretrained model knows
// started from its values (scaled by scale); with unseen, the pretrained model's other rows
// are added too, so that a test word absent from the training examples still has a vector.
func trainFrom(t *testing.T, examples []Example, cfg TrainConfig, pre *Model, scale float32, unseen bool) *Model {
	labels, index := labelIndex(examples)
	emb := newTable(cfg.Dim, cfg.Seed)
	data, df := encode(examples, cfg.Spec, emb, index)
	if unseen {
		for bucket := range pre.Rows {
			if r := emb.row(bucket); int(r) == len(df) {
				df = append(df, 0)
			}
		}
	}
	df = emb.renumber(df, data)
	emb.alloc()
	for r, bucket := range emb.buckets {
		if pr, ok := pre.Rows[bucket]; ok {
			for j := range cfg.Dim {
				emb.rows[r*cfg.Dim+j] = scale * pre.Emb[int(pr)*pre.Dim+j]
			}
		}
	}
	idf, maxIDF := inverseFrequencies(df, len(data))
	for _, ex := range data {
		weigh(ex.features, func(i int) float32 { return idf[ex.rows[i]] })
	}
	net := newNetwork(cfg, len(labels))
	if err := fit(net, emb, data, cfg); err != nil {
		t.Fatal(err)
	}
	m := exportModel(net, emb, cfg, labels)
	m.IDF, m.MaxIDF = idf, maxIDF
	m.Temperature = cfg.Temperature
	m.buildIndex()
	return m
}

// TestExpTransfer: top-1 on MASSIVE test of a network whose embeddings start from the
// built-in catalogue model's. EXP=1 FEW_TRAIN=cut.tsv. Measured on the cut of 15 per intent,
// not kept: 0.6098 from random rows; from the catalogue's rows 0.5942, with its other rows
// added 0.5890 (scaled by 3: 0.5190, by 0.3: 0.6111). The catalogue's space, shaped by
// customer-service intents, does not carry over to alarms and music.
func TestExpTransfer(t *testing.T) {
	train, test := fewData(t)
	cat, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	cfg := cfgFromEnv()
	pre, err := Train(cat.Examples(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		scale  float32
		unseen bool
	}{{0, false}, {1, false}, {1, true}, {3, true}, {0.3, true}} {
		m := trainFrom(t, train, cfg, pre, c.scale, c.unseen)
		if c.scale == 0 {
			m = trainFrom(t, train, cfg, &Model{}, 1, false)
		}
		t.Logf("scale %.1f, unseen rows %v: top-1 %.4f (%d rows)", c.scale, c.unseen, top1(m, test), len(m.IDF))
	}
}
