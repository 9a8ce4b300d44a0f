package e2e_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

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

// TestDeskDropsWhatTheStoreLost: the store loses the last customer message an agent's desk
// shows (a Redis failover to a replica that had not got it, simulated), and the next message
// takes its sequence number. The desk is sent a reset: it drops the lost message and shows the
// conversation as the store has it, the new message included, once (without the reset it
// would skip the new message as one it already shows).
func TestDeskDropsWhatTheStoreLost(t *testing.T) {
	srv := startDeskServer(t, longOffers)
	srv.addAgent(t, "camille", "Camille")
	desk, _ := newTab(t)
	signIn(t, desk, srv, "camille")
	do(t, desk, "Prêt", chromedp.Click(chromedp.ID("ready")))
	waitPage(t, desk, "Prêt", `document.getElementById("state-label").dataset.state === "ready"`)
	c := srv.startChat(t, "")
	c.askForAgent(t)
	waitPage(t, desk, "the offer", `!document.getElementById("offer-box").hidden`)
	do(t, desk, "Accepter", chromedp.Click(chromedp.ID("offer-accept")))
	shows := func(text string) string {
		return `Array.from(document.querySelectorAll("#log .msg-customer")).filter(e => e.textContent.includes(` + quote(text) + `)).length`
	}
	c.say(t, "GARDE-7Q: ma commande n'est pas arrivée")
	c.say(t, "PERDU-4K: le colis 48213")
	waitPage(t, desk, "both messages shown", shows("GARDE-7Q")+` === 1 && `+shows("PERDU-4K")+` === 1`)
	storetest.RollBack(t, srv.st, c.ID, 1) // the second message is lost
	c.say(t, "NOUVEAU-9Z: c'est le 48213")
	waitPage(t, desk, "the lost message dropped, the new one shown once",
		shows("PERDU-4K")+` === 0 && `+shows("NOUVEAU-9Z")+` === 1 && `+shows("GARDE-7Q")+` === 1`)
	screenshot(t, desk, "desk-after-reset")
}
