package e2e_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/relais/relais/handoff"
)

// TestCannedReplyInsertedWithSlash: an agent builds the shared library of réponses types in
// the desk (a refused name shows the server's French message), then types « / » in the reply
// box of a known customer's chat: the list searched by what follows, Entrée inserts the text
// with {{client.nom}} and {{agent.nom}} replaced, and the customer receives it. In an
// anonymous customer's chat the name is removed cleanly, and a reply is found by its text.
func TestCannedReplyInsertedWithSlash(t *testing.T) {
	srv := startDeskServer(t)
	if _, err := srv.accounts.Add(context.Background(), handoff.NewAgent{Login: "camille", Name: "Camille Durand", Password: agentPassword, Capacity: 2}); err != nil {
		t.Fatal(err)
	}
	known := srv.startChat(t, signedIdentity("C-51", "Jeanne Martin", "jeanne.martin@example.fr"))
	known.askForAgent(t)
	anonymous := srv.startChat(t, "")
	anonymous.askForAgent(t)

	tab, dialogs := newTab(t)
	do(t, tab, "1366×768", chromedp.EmulateViewport(1366, 768))
	signIn(t, tab, srv, "camille")
	do(t, tab, "Réponses types", chromedp.Click(chromedp.ID("replies-open")))
	waitPage(t, tab, "the library", `document.getElementById("replies-dialog").open && !document.getElementById("replies-empty").hidden`)
	for _, r := range [][2]string{
		{"Accueil", "Bonjour {{client.nom}}, je suis {{agent.nom}}. Que puis-je faire pour vous ?"},
		{"Délai de livraison", "Comptez deux jours."},
	} {
		do(t, tab, "a reply « "+r[0]+" »", setValue("rf-name", r[0]), setValue("rf-text", r[1]), chromedp.Click(chromedp.ID("rf-save")))
		waitPage(t, tab, "« "+r[0]+" » in the library", `Array.from(document.querySelectorAll("#replies-list strong")).some(e => e.textContent === `+quote(r[0])+`)`)
	}
	do(t, tab, "the same name again", setValue("rf-name", "ACCUEIL"), setValue("rf-text", "Salut"), chromedp.Click(chromedp.ID("rf-save")))
	waitPage(t, tab, "the server's refusal", `document.getElementById("rf-name-error").textContent === "Une réponse type porte déjà ce nom."`)
	if got := eval[string](t, tab, `document.getElementById("rf-text").value`); got != "Salut" {
		t.Errorf("after the refusal the text is %q, want it kept", got)
	}
	if got := text(t, tab, "rf-name-count"); got != "7 / 50" {
		t.Errorf("name counter: got %q, want « 7 / 50 » (the server's limit)", got)
	}
	screenshot(t, tab, "replies-01-library")
	do(t, tab, "a reply to delete", setValue("rf-name", "Temporaire"), setValue("rf-text", "À supprimer"), chromedp.Click(chromedp.ID("rf-save")))
	waitPage(t, tab, "three replies", `document.querySelectorAll("#replies-list li").length === 3`)
	do(t, tab, "Supprimer", chromedp.Click(chromedp.CSS(`#replies-list li:last-child .danger`)))
	waitPage(t, tab, "asked to confirm", `document.querySelector("#replies-list li:last-child .danger").textContent === "Confirmer la suppression" && document.querySelectorAll("#replies-list li").length === 3`)
	do(t, tab, "Confirmer la suppression", chromedp.Click(chromedp.CSS(`#replies-list li:last-child .danger`)))
	waitPage(t, tab, "deleted", `document.querySelectorAll("#replies-list li").length === 2 && document.getElementById("replies-status").textContent === "« Temporaire » est supprimée."`)
	do(t, tab, "Modifier « Délai de livraison »", chromedp.Click(chromedp.CSS(`#replies-list li:last-child button:not(.danger)`)))
	waitPage(t, tab, "its text in the form", `document.getElementById("rf-name").value === "Délai de livraison" && document.getElementById("rf-save").textContent === "Enregistrer"`)
	do(t, tab, "a new text", setValue("rf-text", "Comptez 48 h pour la livraison, {{client.nom}}."), chromedp.Click(chromedp.ID("rf-save")))
	waitPage(t, tab, "saved", `document.getElementById("replies-status").textContent === "« Délai de livraison » est enregistrée." && document.getElementById("rf-save").textContent === "Créer"`)
	do(t, tab, "close the library", chromedp.Click(chromedp.ID("replies-close")))

	waitPage(t, tab, "two tasks in the queue", `document.querySelectorAll("#queue li .take").length === 2`)
	do(t, tab, "take Jeanne's", chromedp.Click(chromedp.CSS("#queue li:first-child .take")))
	waitPage(t, tab, "Jeanne's chat", `document.getElementById("customer-name").textContent === "Jeanne Martin" && document.activeElement.id === "reply-text"`)
	do(t, tab, "type /acc", chromedp.SendKeys(chromedp.ID("reply-text"), "/acc"))
	waitPage(t, tab, "the list with « Accueil »", `!document.getElementById("reply-picker").hidden &&
		document.querySelectorAll("#reply-picker-list [role=option]").length === 1 &&
		document.querySelector("#reply-picker-list [aria-selected=true] strong").textContent === "Accueil"`)
	screenshot(t, tab, "replies-02-picker")
	do(t, tab, "Entrée chooses", enter)
	const hello = "Bonjour Jeanne Martin, je suis Camille Durand. Que puis-je faire pour vous ?"
	waitPage(t, tab, "the text inserted", `document.getElementById("reply-text").value === `+quote(hello)+` && document.getElementById("reply-picker").hidden`)
	do(t, tab, "Entrée sends", enter)
	waitPage(t, tab, "sent", `Array.from(document.querySelectorAll("#log .msg-agent")).some(e => e.textContent.includes(`+quote(hello)+`))`)
	if !known.sawAgentSay(t, hello) {
		t.Errorf("the customer did not receive %q", hello)
	}

	do(t, tab, "take the anonymous customer's", chromedp.Click(chromedp.CSS("#queue li .take")))
	waitPage(t, tab, "the anonymous chat", `document.querySelectorAll("#current-list li").length === 2 && document.getElementById("customer-name").textContent.startsWith("Client inconnu") && document.activeElement.id === "reply-text"`)
	do(t, tab, "type /48 h", chromedp.SendKeys(chromedp.ID("reply-text"), "/48 h"))
	waitPage(t, tab, "found by its text", `document.querySelector("#reply-picker-list [aria-selected=true] strong")?.textContent === "Délai de livraison"`)
	do(t, tab, "Échap closes the list", press(kb.Escape))
	waitPage(t, tab, "closed, the text kept", `document.getElementById("reply-picker").hidden && document.getElementById("reply-text").value === "/48 h"`)
	do(t, tab, "clear", setValue("reply-text", ""), chromedp.SendKeys(chromedp.ID("reply-text"), "/"))
	waitPage(t, tab, "every reply listed", `!document.getElementById("reply-picker").hidden && document.querySelectorAll("#reply-picker-list [role=option]").length === 2`)
	do(t, tab, "↓ then Tab", press(kb.ArrowDown), press(kb.Tab))
	waitPage(t, tab, "the name removed cleanly", `document.getElementById("reply-text").value === "Comptez 48 h pour la livraison."`)
	screenshot(t, tab, "replies-03-inserted-anonymous")
	noDialogs(t, map[string]*dialogLog{"desk": dialogs})
}
