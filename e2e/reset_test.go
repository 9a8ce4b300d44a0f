package e2e_test

import (
	"strings"
	"testing"

	"github.com/relais/relais/server"
	"github.com/relais/relais/store/storetest"
)

// TestWidgetDropsWhatTheStoreLost: the store loses the widget's last two events (a Redis
// failover to a replica that had not got them, simulated); at the next event the widget is
// told to reset: it drops the lost messages and shows the conversation as the store has it,
// the new message included, each once.
func TestWidgetDropsWhatTheStoreLost(t *testing.T) {
	needBrowser(t)
	cfg := server.DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	st := storetest.Open(t)
	srv := serve(t, cfg, st)
	ctx, _ := newTab(t)
	openWidget(t, ctx, srv.URL)
	say(t, ctx, "où en est ma commande")
	waitUntil(t, ctx, "the bot asks for the order number", botCount+` >= 2`)
	waitUntil(t, ctx, "every message has its sequence number", `!r.querySelector(".log > .msg:not([data-seq])")`)
	id := eval[string](t, ctx, `JSON.parse(Object.entries(localStorage).find(([k]) => k.startsWith("relais:conversation:"))[1]).id`)
	storetest.RollBack(t, st, id, 2) // the customer's message and the bot's question are lost
	say(t, ctx, "bonjour")
	waitUntil(t, ctx, "the lost message is dropped and the new one shown",
		`!Array.from(r.querySelectorAll(".log .msg-customer .text")).some(e => e.textContent.includes("commande")) && `+
			`Array.from(r.querySelectorAll(".log .msg-customer .text")).some(e => e.textContent === "bonjour") && `+botCount+` >= 2`)
	ms := messages(t, ctx)
	checkNoDuplicates(t, ms)
	for _, m := range ms {
		if strings.Contains(m.Text, "commande") && m.From == "customer" {
			t.Fatalf("the widget still shows a lost message:\n%s", format(ms))
		}
	}
	if got := eval[string](t, ctx, `JSON.parse(Object.entries(localStorage).find(([k]) => k.startsWith("relais:conversation:"))[1]).lastId || ""`); !strings.HasPrefix(got, "3-") {
		t.Errorf("the widget resumes after %q, want the id of event 3", got)
	}
	screenshot(t, ctx, "after-reset")
}
