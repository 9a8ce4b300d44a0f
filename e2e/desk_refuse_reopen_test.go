package e2e_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
)

// queueTakeable is the JavaScript test that the desk's queue offers « Prendre » for its only
// entry.
const queueTakeable = `document.querySelectorAll("#queue li").length === 1 && !!document.querySelector("#queue li .take")`

// TestRefusedTaskGoesToTheOtherAgentAndIsPickable: Camille and Bruno (two browsers) are
// Prêt; the offer goes to Camille, who refuses: Bruno is offered it at once, and Camille's
// queue shows it offered. Bruno refuses too: both queues show « Prendre » without a reload,
// and the customer reads that no agent is available, not « Vous êtes le prochain ». Camille
// takes it.
func TestRefusedTaskGoesToTheOtherAgentAndIsPickable(t *testing.T) {
	srv := startDeskServer(t)
	srv.addAgent(t, "camille", "Camille Durand")
	srv.addAgent(t, "bruno", "Bruno Petit")
	deskA, dialogsA := newTab(t)
	deskB, dialogsB := newTab(t)
	customer, dialogsC := newTab(t)
	signIn(t, deskA, srv, "camille")
	signIn(t, deskB, srv, "bruno")
	for _, tab := range []context.Context{deskA, deskB} { // Camille first: idle longest
		do(t, tab, "Prêt", chromedp.Click(chromedp.ID("ready")))
		waitPage(t, tab, "Prêt", `document.getElementById("state-label").textContent === "Prêt"`)
	}
	openWidget(t, customer, srv.URL)
	say(t, customer, "je veux parler à un conseiller")
	waitUntil(t, customer, "the customer is next in the queue", `r.querySelector(".notice.queued") && r.querySelector(".notice.queued").textContent.includes("le prochain")`)

	waitPage(t, deskA, "the offer to Camille", `!document.getElementById("offer-box").hidden`)
	do(t, deskA, "Refuser", chromedp.Click(chromedp.ID("offer-reject")))
	waitPage(t, deskB, "the offer to Bruno at once", `!document.getElementById("offer-box").hidden`)
	waitPage(t, deskA, "Camille's queue shows it offered, without « Prendre »",
		`document.querySelectorAll("#queue li").length === 1 && !document.querySelector("#queue li .take") && document.getElementById("queue").textContent.includes("proposée à un agent")`)
	screenshot(t, deskB, "refuse-01-offered-to-bruno")

	do(t, deskB, "Refuser", chromedp.Click(chromedp.ID("offer-reject")))
	waitPage(t, deskA, "« Prendre » in Camille's queue", queueTakeable)
	waitPage(t, deskB, "« Prendre » in Bruno's queue", queueTakeable)
	waitUntil(t, customer, "the customer is told no agent is available, not that they are next",
		`Array.from(r.querySelectorAll(".log .msg-system")).some(e => e.textContent.includes("Aucun conseiller n'est disponible")) && !r.querySelector(".notice.queued").textContent.includes("le prochain")`)
	screenshot(t, deskA, "refuse-02-pickable")
	screenshot(t, customer, "refuse-03-customer")

	do(t, deskA, "Prendre", chromedp.Click(chromedp.CSS("#queue li .take")))
	waitPage(t, deskA, "Camille holds it", `document.querySelectorAll("#current-list li").length === 1`)
	waitPage(t, deskB, "Bruno's queue is empty", `document.querySelectorAll("#queue li").length === 0`)
	waitUntil(t, customer, "the customer sees Camille join", `Array.from(r.querySelectorAll(".log .notice")).some(e => e.textContent.includes("Camille Durand a rejoint"))`)
	noDialogs(t, map[string]*dialogLog{"camille": dialogsA, "bruno": dialogsB, "widget": dialogsC})
}

// TestCloseThenReopen: Fermer asks for a confirmation; once closed the customer reads that it
// is over and the desk lists it under « Fermées récemment » with « Rouvrir », which gives the
// conversation back to the agent: the customer reads that the agent reopened it and writes
// again.
func TestCloseThenReopen(t *testing.T) {
	srv := startDeskServer(t)
	srv.addAgent(t, "camille", "Camille Durand")
	desk, dialogs := newTab(t)
	customer, dialogsC := newTab(t)
	signIn(t, desk, srv, "camille")
	takeChat(t, desk, customer, srv.URL)
	do(t, desk, "Fermer", chromedp.Click(chromedp.ID("close-conv")))
	confirmClose(t, desk)
	waitPage(t, desk, "asked about the unknown customer", `!document.getElementById("close-quit").hidden`)
	do(t, desk, "Quitter sans créer", chromedp.Click(chromedp.ID("close-quit")))
	waitPage(t, desk, "closed, offered to reopen", `document.querySelectorAll("#current-list li").length === 0 &&
		!document.getElementById("reopen-section").hidden && !!document.querySelector("#reopen-list li .reopen")`)
	waitUntil(t, customer, "the customer reads that it is over", `r.querySelector(".notice.closed") && r.querySelector("form").hidden`)
	screenshot(t, desk, "reopen-01-closed")

	do(t, desk, "Rouvrir", chromedp.Click(chromedp.CSS("#reopen-list li .reopen")))
	waitPage(t, desk, "the conversation is back in « En cours »", `document.querySelectorAll("#current-list li").length === 1 &&
		document.getElementById("reopen-section").hidden && !document.getElementById("reply-text").disabled &&
		document.getElementById("desk-status").textContent === "Conversation rouverte."`)
	waitUntil(t, customer, "the customer reads that Camille reopened it and may write",
		`Array.from(r.querySelectorAll(".log .msg-system")).some(e => e.textContent.includes("Camille Durand a rouvert la conversation")) && !r.querySelector("form").hidden && r.querySelector(".restart").hidden`)
	screenshot(t, customer, "reopen-02-customer")
	say(t, customer, "Merci, une dernière question")
	waitPage(t, desk, "the customer's message after the reopening",
		`Array.from(document.querySelectorAll("#log .msg-customer")).some(e => e.textContent.includes("une dernière question"))`)
	do(t, desk, "answer", chromedp.SendKeys(chromedp.ID("reply-text"), "Je vous écoute."), enter)
	waitUntil(t, customer, "the agent's answer", `Array.from(r.querySelectorAll(".log .msg-agent")).some(e => e.textContent.includes("Je vous écoute"))`)
	screenshot(t, desk, "reopen-03-desk")
	noDialogs(t, map[string]*dialogLog{"desk": dialogs, "widget": dialogsC})
}
