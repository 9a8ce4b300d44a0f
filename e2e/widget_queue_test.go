package e2e_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// queueTexts is the JavaScript list of the widget's log entries that speak of the queue.
const queueTexts = `Array.from(r.querySelectorAll(".log > *")).map(e => e.textContent).filter(s => /file d'attente|En attente/.test(s))`

// TestWidgetHandoffThenLivePosition: while the only agent is Prêt but busy, a customer asks
// for a person: the widget shows one queue notice (not a message per step), with the position
// and an estimate; when the agent goes Non prêt the estimate goes (nothing holds it any more),
// the position stays, in the same notice. On a 360 px phone.
func TestWidgetHandoffThenLivePosition(t *testing.T) {
	srv := startDeskServer(t, longOffers) // accepted by the test: a loaded machine must not let them expire first
	srv.addAgent(t, "camille", "Camille")
	desk, _ := newTab(t)
	signIn(t, desk, srv, "camille")
	do(t, desk, "Prêt", chromedp.Click(chromedp.ID("ready")))
	waitPage(t, desk, "Prêt", `document.getElementById("state-label").dataset.state === "ready"`)
	first := srv.startChat(t, "")
	first.askForAgent(t)
	waitPage(t, desk, "the offer", `!document.getElementById("offer-box").hidden`)
	do(t, desk, "Accepter", chromedp.Click(chromedp.ID("offer-accept")))
	waitPage(t, desk, "busy with the first customer", `document.querySelector("#log .msg-customer")`)

	customer, _ := newTab(t)
	do(t, customer, "a 360 px phone", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	openWidget(t, customer, srv.URL)
	say(t, customer, "je veux parler à un conseiller")
	waitUntil(t, customer, "one queue notice with the position and an estimate",
		`r.querySelectorAll(".log .notice.queued").length === 1 && /prochain/.test(r.querySelector(".notice.queued").textContent) && /Attente estimée/.test(r.querySelector(".notice.queued").textContent)`)
	if got := eval[[]string](t, customer, `(() => { const r = `+shadow+`; return `+queueTexts+`; })()`); len(got) != 1 {
		t.Errorf("the queue is told %d times, want once: %q", len(got), got)
	}
	screenshot(t, customer, "queue-estimate")

	do(t, desk, "Non prêt", chromedp.Click(chromedp.ID("not-ready")))
	waitUntil(t, customer, "the estimate gone with the only agent Prêt, the position kept",
		`r.querySelectorAll(".log .notice.queued").length === 1 && !/Attente estimée|va vous répondre/.test(r.querySelector(".notice.queued").textContent) && /prochain/.test(r.querySelector(".notice.queued").textContent)`)
	if got := eval[[]string](t, customer, `(() => { const r = `+shadow+`; return `+queueTexts+`; })()`); len(got) != 1 {
		t.Errorf("after Non prêt the queue is told %d times, want once: %q", len(got), got)
	}
	screenshot(t, customer, "queue-no-estimate")
}
