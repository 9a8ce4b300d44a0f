package dialog_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/relais/relais/dialog"
	"github.com/relais/relais/intents"
	"github.com/relais/relais/store/storetest"
)

// BenchmarkTurn is one customer message through the whole bot: classification, the engine,
// and the session's lock, read and write in Redis (the real one when REDIS_URL is set).
// It reports the median and 99th percentile of a turn besides the mean.
func BenchmarkTurn(b *testing.B) {
	e := benchEngine(b, &dialog.RedisSessions{Store: storetest.Open(b), TTL: time.Minute})
	ctx := context.Background()
	var took []time.Duration
	i := 0
	for b.Loop() {
		start := time.Now()
		if _, err := e.Handle(ctx, fmt.Sprint("c", i/len(messages)), messages[i%len(messages)]); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
		i++
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkTurnInMemory is BenchmarkTurn without Redis (sessions in memory): the CPU of the
// classifier and the engine alone, steadier from run to run than a Redis round trip.
func BenchmarkTurnInMemory(b *testing.B) {
	e := benchEngine(b, dialog.NewMemorySessions())
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if _, err := e.Handle(ctx, fmt.Sprint("c", i/len(messages)), messages[i%len(messages)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// messages are a customer's turns in the benchmarks: a greeting, a question, a flow and thanks.
var messages = []string{"bonjour", "vous êtes ouverts à quelle heure le samedi ?", "où en est ma commande", "CMD-48213", "merci"}

// benchEngine is the built-in bot with a freshly trained classifier, on sessions.
func benchEngine(b *testing.B, sessions dialog.Sessions) *dialog.Engine {
	bot, err := dialog.LoadBot("")
	if err != nil {
		b.Fatal(err)
	}
	m, err := intents.Train(bot.Catalogue.Examples(), intents.DefaultTrainConfig())
	if err != nil {
		b.Fatal(err)
	}
	return dialog.NewEngine(bot, intents.NewClassifier(m), sessions, dialog.Options{})
}
