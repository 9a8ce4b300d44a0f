package e2e_test

import (
	"sync"
	"testing"
	"time"

	"github.com/relais/relais/dialog"
	"github.com/relais/relais/intents"
	"github.com/relais/relais/relay"
	"github.com/relais/relais/store"
)

// classifier is the built-in bot's intent classifier, trained once per test binary (or read
// from the model cache, ~/.cache/relais/, when the catalogue has not changed).
var classifier = sync.OnceValues(func() (dialog.Classifier, error) {
	bot, err := dialog.LoadBot("")
	if err != nil {
		return nil, err
	}
	m, _, err := intents.LoadOrTrain("", bot.Catalogue.Examples(), intents.DefaultTrainConfig())
	if err != nil {
		return nil, err
	}
	return intents.NewClassifier(m), nil
})

// orderStatus is what the order-status webhook answers in these tests.
const orderStatus = "expédiée, livraison prévue le 14 mars"

// newBot returns the built-in French bot, as `relais serve` runs it, with its sessions in st
// and a canned answer for the order-status webhook.
func newBot(t *testing.T, st *store.Store) relay.Bot {
	t.Helper()
	bot, err := dialog.LoadBot("")
	if err != nil {
		t.Fatalf("built-in bot: %v", err)
	}
	c, err := classifier()
	if err != nil {
		t.Fatalf("classifier: %v", err)
	}
	webhooks := dialog.CannedCaller{"order_status": {"status": orderStatus}}
	return dialog.NewEngine(bot, c, &dialog.RedisSessions{Store: st, TTL: 30 * time.Minute}, dialog.Options{Caller: webhooks})
}
