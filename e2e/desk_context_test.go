package e2e_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestDeskContextBeforeTaking: before taking a task the agent reads what the customer wants.
// The queue lists the task with the customer's last message, kept up to date as they write;
// selected in the queue, the task shows its transcript so far, read-only (no reply box), the
// customer's words as text, and what they write next; offered, it shows their last message.
func TestDeskContextBeforeTaking(t *testing.T) {
	srv := startDeskServer(t, longOffers) // accepted by the test: a loaded machine must not let them expire first
	srv.addAgent(t, "camille", "Camille")
	const words = "Ma box <b>ne s'allume plus</b> depuis ce matin."
	customer := srv.startChat(t, "")
	customer.askForAgent(t)
	customer.say(t, words)

	tab, _ := newTab(t)
	signIn(t, tab, srv, "camille")
	waitPage(t, tab, "the task in the queue, with the customer's last message", `document.querySelectorAll("#queue li").length === 1 && document.querySelector("#queue li .last").textContent === "« " + `+quote(words)+` + " »"`)
	const more = "Le voyant est rouge."
	customer.say(t, more)
	waitPage(t, tab, "the queue follows what the customer writes", `document.querySelector("#queue li .last").textContent === "« " + `+quote(more)+` + " »"`)
	screenshot(t, tab, "desk-context-queue")
	do(t, tab, "select the task", chromedp.Click(chromedp.CSS("#queue li .select")))
	waitPage(t, tab, "the transcript so far, read-only",
		`Array.from(document.querySelectorAll("#log .msg-customer .text")).some(e => e.textContent === `+quote(more)+`) && document.querySelector("#log .msg-bot") && document.getElementById("reply").hidden && document.getElementById("reply-note").closest("label").hidden`)
	if n := eval[int](t, tab, `document.querySelectorAll("#log b, #queue b").length`); n != 0 {
		t.Errorf("the customer's markup became %d elements", n)
	}
	const third = "Je l'ai déjà redémarrée deux fois."
	customer.say(t, third)
	waitPage(t, tab, "the preview follows what the customer writes",
		`Array.from(document.querySelectorAll("#log .msg-customer .text")).some(e => e.textContent === `+quote(third)+`) && document.querySelectorAll("#log .note").length >= 1`)
	screenshot(t, tab, "desk-context-preview")

	do(t, tab, "Prêt", chromedp.Click(chromedp.ID("ready")))
	waitPage(t, tab, "the offer with the customer's last message",
		`!document.getElementById("offer-box").hidden && document.getElementById("offer-last").textContent === "Dernier message : « " + `+quote(third)+` + " »"`)
	screenshot(t, tab, "desk-context-offer")
	do(t, tab, "Accepter", chromedp.Click(chromedp.ID("offer-accept")))
	waitPage(t, tab, "the conversation, with its reply box", `!document.getElementById("reply").hidden && Array.from(document.querySelectorAll("#log .msg-customer .text")).some(e => e.textContent === `+quote(words)+`)`)
}
