package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// openTransfer clicks button (« Transférer… » or « Rendre à l'assistant ») and waits for the
// dialog with the colleagues read from the server.
func openTransfer(t *testing.T, tab context.Context, button string) {
	t.Helper()
	do(t, tab, "click #"+button, chromedp.Click(chromedp.ID(button)))
	waitPage(t, tab, "the transfer dialog", `document.getElementById("transfer-dialog").open && document.getElementById("transfer-agents-status").textContent !== "Recherche des collègues Prêts…"`)
}

// TestTransferToAColleagueInTwoBrowsers: Camille (one browser) holds a chat and transfers
// it to Bruno (another browser) with a reason. A refusal first (Bruno went Non prêt after the
// list was read) shows the server's French message and keeps the reason; once Bruno is Prêt
// again the transfer goes through: the conversation leaves Camille's desk, Bruno gets it with
// its transcript and the reason, and the customer's widget reads the system message. Bruno
// then gives it back to the bot.
func TestTransferToAColleagueInTwoBrowsers(t *testing.T) {
	srv := startDeskServer(t)
	srv.addAgent(t, "camille", "Camille Durand")
	srv.addAgent(t, "bruno", "Bruno Petit")
	deskA, dialogsA := newTab(t)
	deskB, dialogsB := newTab(t)
	customer, dialogsC := newTab(t)
	for _, tab := range []context.Context{deskA, deskB} {
		do(t, tab, "1366×768", chromedp.EmulateViewport(1366, 768))
	}
	signIn(t, deskA, srv, "camille")
	signIn(t, deskB, srv, "bruno")
	takeChat(t, deskA, customer, srv.URL)
	say(t, customer, "Ma facture de novembre est fausse")
	waitPage(t, deskA, "the customer's message", `Array.from(document.querySelectorAll("#log .msg-customer")).some(e => e.textContent.includes("facture de novembre"))`)

	do(t, deskA, "a description not saved", setValue("request-description", "Facture de novembre contestée"))
	openTransfer(t, deskA, "transfer-conv")
	if got := text(t, deskA, "transfer-pending"); !strings.Contains(got, "modifications non enregistrées (la demande)") {
		t.Errorf("unsaved request: the dialog says %q, want a warning", got)
	}
	screenshot(t, deskA, "transfer-00-unsaved-no-colleague")
	if got := text(t, deskA, "transfer-agents-status"); got == "" || !eval[bool](t, deskA, `document.getElementById("transfer-to-agent").disabled`) {
		t.Errorf("no colleague Prêt: got status %q and the colleague choice enabled", got)
	}
	do(t, deskA, "close the dialog", chromedp.Click(chromedp.ID("transfer-cancel")))
	do(t, deskA, "the description as it was", setValue("request-description", ""))
	do(t, deskB, "Bruno Prêt", chromedp.Click(chromedp.ID("ready")))
	waitPage(t, deskB, "Bruno is Prêt", `document.getElementById("state-label").textContent === "Prêt"`)

	const reason = "Facturation : Bruno suit ce dossier depuis octobre"
	openTransfer(t, deskA, "transfer-conv")
	waitPage(t, deskA, "Bruno in the list", `Array.from(document.getElementById("transfer-agent").options).some(o => o.textContent.startsWith("Bruno Petit"))`)
	do(t, deskA, "type the reason", setValue("transfer-reason", reason))
	if got := text(t, deskA, "transfer-reason-count"); got != "50 / 500" {
		t.Errorf("reason counter: got %q, want « 50 / 500 » (the server's limit)", got)
	}
	if got := text(t, deskA, "transfer-pending"); got != "" {
		t.Errorf("nothing unsaved: the dialog warns %q", got)
	}
	screenshot(t, deskA, "transfer-01-dialog")

	// Bruno goes Non prêt while the dialog is open: the server refuses, nothing is lost.
	do(t, deskB, "Bruno Non prêt", chromedp.Click(chromedp.ID("not-ready")))
	waitPage(t, deskB, "Bruno is Non prêt", `document.getElementById("state-label").textContent === "Non prêt"`)
	do(t, deskA, "Transférer", chromedp.Click(chromedp.ID("transfer-submit")))
	waitPage(t, deskA, "the server's refusal", `document.getElementById("transfer-error").textContent.includes("n'est plus disponible")`)
	if got := eval[string](t, deskA, `document.getElementById("transfer-reason").value`); got != reason {
		t.Errorf("after the refusal the reason is %q, want it kept", got)
	}
	if n := eval[int](t, deskA, `document.querySelectorAll("#current-list li").length`); n != 1 {
		t.Errorf("after the refusal Camille holds %d conversations, want 1", n)
	}
	screenshot(t, deskA, "transfer-02-refused")
	do(t, deskA, "close the dialog", chromedp.Click(chromedp.ID("transfer-cancel")))
	do(t, deskB, "Bruno Prêt", chromedp.Click(chromedp.ID("ready")))
	waitPage(t, deskB, "Bruno is Prêt", `document.getElementById("state-label").textContent === "Prêt"`)

	openTransfer(t, deskA, "transfer-conv")
	waitPage(t, deskA, "Bruno in the list", `document.getElementById("transfer-agent").value !== "" && !document.getElementById("transfer-to-agent").disabled`)
	if got := eval[string](t, deskA, `document.getElementById("transfer-reason").value`); got != reason {
		t.Errorf("the dialog opened again with reason %q, want the one typed", got)
	}
	do(t, deskA, "Transférer", chromedp.Click(chromedp.ID("transfer-submit")))
	waitPage(t, deskA, "the conversation left Camille's desk", `document.querySelectorAll("#current-list li").length === 0 && !document.getElementById("transfer-dialog").open && document.getElementById("desk-status").textContent === "Conversation transférée à Bruno Petit."`)
	screenshot(t, deskA, "transfer-03-sender")

	waitPage(t, deskB, "Bruno has the transcript and the reason", `document.querySelectorAll("#current-list li").length === 1 &&
		Array.from(document.querySelectorAll("#log .msg-customer")).some(e => e.textContent.includes("facture de novembre")) &&
		Array.from(document.querySelectorAll("#log .internal-note")).some(e => e.textContent.includes("Note interne — Camille Durand") && e.textContent.includes("motif : `+reason+`"))`)
	screenshot(t, deskB, "transfer-04-receiver")

	waitUntil(t, customer, "the customer reads the transfer", `Array.from(r.querySelectorAll(".log .msg-system")).some(e => e.textContent.includes("a transmis votre conversation à un collègue"))`)
	waitUntil(t, customer, "Bruno joined", `Array.from(r.querySelectorAll(".log .notice")).some(e => e.textContent.includes("Bruno Petit a rejoint la conversation"))`)
	ms := messages(t, customer)
	if contains(ms, "system", "Bruno suit ce dossier") || contains(ms, "notice", "Bruno suit ce dossier") {
		t.Errorf("the reason reached the customer: %s", format(ms))
	}
	screenshot(t, customer, "transfer-05-widget")

	// Bruno answers, then hands the conversation back to the bot.
	do(t, deskB, "Bruno writes", chromedp.SendKeys(chromedp.ID("reply-text"), "Bonjour, je reprends votre dossier."), chromedp.Click(chromedp.ID("reply-send")))
	waitUntil(t, customer, "Bruno's answer", `Array.from(r.querySelectorAll(".log .msg-agent")).some(e => e.textContent.includes("je reprends votre dossier"))`)
	openTransfer(t, deskB, "handback-conv")
	if !eval[bool](t, deskB, `document.getElementById("transfer-to-bot").checked && document.getElementById("transfer-submit").textContent === "Rendre à l'assistant"`) {
		t.Errorf("« Rendre à l'assistant » did not choose the bot")
	}
	do(t, deskB, "no reason", chromedp.Click(chromedp.ID("transfer-submit")))
	waitPage(t, deskB, "the reason is asked for", `document.getElementById("transfer-error").textContent === "Indiquez le motif du transfert."`)
	do(t, deskB, "type the reason", setValue("transfer-reason", "Suivi de remboursement : l'assistant le fait"), chromedp.Click(chromedp.ID("transfer-submit")))
	waitPage(t, deskB, "the conversation left Bruno's desk", `document.querySelectorAll("#current-list li").length === 0 && document.getElementById("desk-status").textContent === "Conversation rendue à l'assistant."`)
	waitUntil(t, customer, "the customer is back with the bot", `Array.from(r.querySelectorAll(".log .msg-system")).some(e => e.textContent.includes("redirigé vers l'assistant automatique"))`)
	noDialogs(t, map[string]*dialogLog{"camille": dialogsA, "bruno": dialogsB, "widget": dialogsC})
}
