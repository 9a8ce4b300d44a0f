package e2e_test

import (
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestAgentScrollsBackToTheFirstMessage: a long conversation reaches the desk with its end
// only; the agent scrolls to the top of the log, older events come above, the view staying on
// what the agent was reading, until the customer's first message.
func TestAgentScrollsBackToTheFirstMessage(t *testing.T) {
	s := startDeskServer(t)
	s.addAgent(t, "lea", "Léa")

	ch := s.startChat(t, "")
	s.addCustomerMessages(t, ch.ID, 400, func(i int) string { return "Message " + strconv.Itoa(i) + " du client" })

	tab, _ := newTab(t)
	signIn(t, tab, s, "lea")
	do(t, tab, "become Prêt", chromedp.Click(chromedp.ID("ready")))
	waitPage(t, tab, "the agent is Prêt", `document.getElementById("state-label").textContent === "Prêt"`)
	ch.askForAgent(t)
	waitPage(t, tab, "the offer is shown", `!document.getElementById("offer-box").hidden`)
	do(t, tab, "accept", chromedp.Click(chromedp.ID("offer-accept")))
	waitPage(t, tab, "the end of the transcript is shown under « Messages précédents »",
		`document.querySelector("#log .older:not([hidden])") && Array.from(document.querySelectorAll("#log .msg-customer")).some(e => e.textContent.includes("conseiller"))`)
	const firstShown = `Array.from(document.querySelectorAll("#log .msg-customer")).some(e => e.textContent.endsWith("Message 1 du client"))`
	if eval[bool](t, tab, firstShown) {
		t.Fatal("the first message is shown at once: the transcript was not capped")
	}

	for page := 0; eval[bool](t, tab, `!!document.querySelector("#log .older:not([hidden])")`); page++ {
		if page == 10 {
			t.Fatal("still older events after 10 pages")
		}
		// The agent scrolls to the top; the line that was first must stay where it was.
		top := eval[string](t, tab, `(() => {
			const log = document.getElementById("log");
			log.scrollTop = 0;
			const first = log.querySelector("[data-seq]");
			window.__first = first.dataset.seq;
			window.__at = first.getBoundingClientRect().top - log.getBoundingClientRect().top;
			return first.dataset.seq;
		})()`)
		waitPage(t, tab, "older events come above event "+top,
			`document.querySelector("#log [data-seq]").dataset.seq !== window.__first`)
		moved := eval[float64](t, tab, `(() => {
			const log = document.getElementById("log");
			const was = log.querySelector('[data-seq="' + window.__first + '"]');
			return Math.abs(was.getBoundingClientRect().top - log.getBoundingClientRect().top - window.__at);
		})()`)
		if moved > 2 {
			t.Errorf("page %d: the line the agent was reading moved by %.0f px", page, moved)
		}
	}
	if !eval[bool](t, tab, firstShown) {
		t.Fatal("no more older events, but the first message is not shown")
	}
	seqs := eval[[]string](t, tab, `Array.from(document.querySelectorAll("#log [data-seq]")).map(e => e.dataset.seq)`)
	for i, seq := range seqs {
		if seq != strconv.Itoa(i+1) {
			t.Fatalf("the log's events: %v…, want seqs 1, 2, 3… once each", seqs[:min(len(seqs), i+3)])
		}
	}
	eval[bool](t, tab, `(() => { document.getElementById("log").scrollTop = 0; return true; })()`)
	screenshot(t, tab, "desk-history")
}
