package server_test

import (
	"net/http"
	"testing"

	"github.com/relais/relais/dialog"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/intents"
	"github.com/relais/relais/server"
	"github.com/relais/relais/store/storetest"
)

// catalogBot is the fake bot with the built-in catalogue, as dialog.Engine has.
type catalogBot struct {
	*fakeBot
	bot *dialog.Bot
}

func (b catalogBot) Bot() *dialog.Bot { return b.bot }

type intentsBody struct {
	Intents []struct{ ID, Name, Category string }
}

func TestDeskIntentsGivesFrenchNames(t *testing.T) {
	cat, err := intents.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.Open(t)
	cfg := testConfig()
	router := handoff.NewRouter(st, handoff.Options{OfferTimeout: cfg.OfferTimeout})
	accounts := handoff.NewAccounts(st, handoff.AccountOptions{Cost: 10})
	bot := catalogBot{fakeBot: &fakeBot{}, bot: &dialog.Bot{Catalogue: cat}}
	in := serve(t, bot.fakeBot, server.Deps{Store: st, Bot: bot, Static: testStatic, Router: router, Accounts: accounts}, cfg)
	d := &deskInstance{instance: in, router: router, accounts: accounts, st: st}
	d.addAgent(t, "camille")
	cookie := d.login(t, "camille")

	got, _ := mustDesk[intentsBody](t, d, cookie, http.StatusOK, "GET", "/intents", "")
	if len(got.Intents) != len(cat.Intents) {
		t.Fatalf("got %d intents, want %d", len(got.Intents), len(cat.Intents))
	}
	names := map[string]string{}
	for _, in := range got.Intents {
		names[in.ID] = in.Name
	}
	want, _ := cat.Intent("mise_en_relation_agent")
	if names["mise_en_relation_agent"] != want.Name || want.Name == "" {
		t.Errorf("mise_en_relation_agent: got %q, want %q", names["mise_en_relation_agent"], want.Name)
	}
	if status, _, _ := d.deskCall(t, nil, "GET", "/intents", ""); status != http.StatusUnauthorized {
		t.Errorf("without the agent's cookie: got %d, want 401", status)
	}
}

// A bot without a catalogue gives an empty list, not an error.
func TestDeskIntentsOfABotWithoutCatalogue(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	d.addAgent(t, "camille")
	got, _ := mustDesk[intentsBody](t, d, d.login(t, "camille"), http.StatusOK, "GET", "/intents", "")
	if got.Intents == nil || len(got.Intents) != 0 {
		t.Errorf("got %+v, want an empty list", got.Intents)
	}
}
