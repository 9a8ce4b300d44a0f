package e2e_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestLeftMessageReachesTheDesk: with no agent Prêt, a customer leaves a message in the
// widget (the contact it asks for is required and checked by the server); an agent sees it
// under « Messages laissés », reads it with the conversation before it, creates the customer,
// renames the request and closes it, and the list is empty.
func TestLeftMessageReachesTheDesk(t *testing.T) {
	srv := startDeskServer(t)
	agent := srv.addAgent(t, "camille", "Camille")
	token := srv.session(t, agent.ID)
	desk, deskDialogs := newTab(t)
	signIn(t, desk, srv, "camille")
	waitPage(t, desk, "no message yet", `document.getElementById("messages-length").textContent === "0" && !document.getElementById("messages-empty").hidden`)

	customer, customerDialogs := newTab(t)
	openWidget(t, customer, srv.URL)
	say(t, customer, "je veux parler à un conseiller")
	waitUntil(t, customer, "no agent: the two choices", `Array.from(r.querySelectorAll(".quick button")).some(b => b.textContent === "Laisser un message")`)
	do(t, customer, "Laisser un message", chromedp.Click(chromedp.JSPath(
		`Array.from(`+shadow+`.querySelectorAll(".quick button")).find(b => b.textContent === "Laisser un message")`)))
	const left = "Mon colis n'est jamais arrivé, rappelez-moi vite."
	waitUntil(t, customer, "the contact is asked", `!r.querySelector(".contact-box").hidden`)
	say(t, customer, left) // without a contact: refused, the text kept
	waitUntil(t, customer, "the contact is required, the text kept", `!r.querySelector(".alert").hidden && r.querySelector(".alert").textContent.includes("e-mail ou un numéro de téléphone") && r.querySelector("#relais-contact").getAttribute("aria-invalid") === "true" && r.activeElement === r.querySelector("#relais-contact") && r.querySelector("textarea").value === `+quote(left))
	screenshot(t, customer, "messages-00-contact-asked")
	for _, bad := range []struct{ contact, says string }{
		{"jeanne@", "Adresse e-mail invalide."},
		{"06 12", "numéro de téléphone de 6 à 20 chiffres"},
	} {
		do(t, customer, "give a bad contact: "+bad.contact, chromedp.Evaluate[chromedp.Void](`(() => {
			const r = `+shadow+`;
			r.querySelector("#relais-contact").value = `+quote(bad.contact)+`;
			r.querySelector(".alert").textContent = "";
			r.querySelector("form.composer").requestSubmit();
		})()`))
		waitUntil(t, customer, "the server refuses "+bad.contact+", the text kept", `r.querySelector(".alert").textContent.includes(`+quote(bad.says)+`) && r.querySelector("#relais-contact").getAttribute("aria-invalid") === "true" && r.querySelector("textarea").value === `+quote(left)+` && !Array.from(r.querySelectorAll(".log .notice")).some(e => e.textContent.includes("bien été transmis"))`)
	}
	do(t, customer, "give a phone number and send", chromedp.Evaluate[chromedp.Void](`(() => {
		const c = `+shadow+`.querySelector("#relais-contact");
		c.value = "06 12 34 56 78";
		`+shadow+`.querySelector("form.composer").requestSubmit();
	})()`))
	waitUntil(t, customer, "the confirmation", `Array.from(r.querySelectorAll(".log .notice")).some(e => e.textContent.includes("Votre message a bien été transmis à nos conseillers"))`)
	// Shown once, confirmed by the server (stored just before the end), before the end.
	waitUntil(t, customer, "the message left, once, stored, before the end", `(() => {
		const mine = Array.from(r.querySelectorAll(".log .msg-customer")).filter(e => e.querySelector(".text").textContent === `+quote(left)+`);
		const end = Array.from(r.querySelectorAll(".log > *")).findIndex(e => e.textContent.includes("La conversation est terminée"));
		const at = Array.from(r.querySelectorAll(".log > *")).indexOf(mine[0]);
		return mine.length === 1 && !mine[0].classList.contains("pending") && mine[0].dataset.seq && end > at;
	})()`)
	screenshot(t, customer, "messages-01-widget-left")

	// The desk is told at once (the "messages" envelope); no reload.
	waitPage(t, desk, "the message is listed", `document.querySelectorAll("#messages-list li").length === 1 && document.getElementById("messages-length").textContent === "1"`)
	if got := text(t, desk, "messages-list"); !strings.Contains(got, "Client inconnu") {
		t.Errorf("list: got %q, want « Client inconnu »", got)
	}
	screenshot(t, desk, "messages-02-listed")
	do(t, desk, "open the message", chromedp.Click(chromedp.CSS("#messages-list li .select")))
	waitPage(t, desk, "the message and its transcript", `document.getElementById("message-text").textContent === `+quote(left)+
		` && Array.from(document.querySelectorAll("#message-log .msg-customer")).some(e => e.textContent.includes("je veux parler à un conseiller")) && document.querySelector("#message-log .msg-bot")`)
	waitPage(t, desk, "the contact left with it", `document.getElementById("message-meta").textContent.includes("06 12 34 56 78")`)
	waitPage(t, desk, "the request, customer unknown", `!document.getElementById("interaction").hidden && document.getElementById("request-title-btn").textContent === "Message laissé par le client" && document.getElementById("customer-name").textContent.startsWith("Client inconnu")`)
	screenshot(t, desk, "messages-03-opened")

	// Créer: the customer form, linked to the message.
	do(t, desk, "click « Client inconnu »", chromedp.Click(chromedp.ID("customer-name")))
	waitPage(t, desk, "the new customer form, with the search", `document.getElementById("customer-dialog").open && !document.getElementById("customer-create").hidden && !document.getElementById("customer-search-form").hidden`)
	do(t, desk, "fill and Créer",
		chromedp.SendKeys(chromedp.ID("cf-name"), "Lucie Bernard"),
		chromedp.SendKeys(chromedp.ID("cf-email"), "lucie.bernard@example.fr"),
		chromedp.Click(chromedp.ID("customer-create")))
	waitPage(t, desk, "the customer is linked", `!document.getElementById("customer-dialog").open && document.getElementById("customer-name").textContent === "Lucie Bernard"`)
	waitPage(t, desk, "the list names her", `document.getElementById("messages-list").textContent.includes("Lucie Bernard")`)

	// The request's title, as for a chat.
	do(t, desk, "click the title", chromedp.Click(chromedp.ID("request-title-btn")))
	do(t, desk, "type a title", setValue("request-title", "Colis perdu — rappel"), enter)
	waitPage(t, desk, "the title is saved", `document.getElementById("request-saved").textContent === "Demande enregistrée." && document.getElementById("request-title-btn").textContent === "Colis perdu — rappel"`)
	screenshot(t, desk, "messages-04-customer-and-title")

	do(t, desk, "Clore", chromedp.Click(chromedp.ID("message-close")))
	waitPage(t, desk, "the list is empty", `document.querySelectorAll("#messages-list li").length === 0 && document.getElementById("messages-length").textContent === "0" && document.getElementById("message-view").hidden`)
	screenshot(t, desk, "messages-05-closed")

	lucie := customerByEmail(t, srv, token, "lucie.bernard@example.fr")
	var j journeyRec
	records(t, srv, token, "GET", "/customers/"+lucie.ID+"/journey", 0, nil, &j, http.StatusOK)
	if len(j.Requests) != 1 || j.Requests[0].Title != "Colis perdu — rappel" || j.Requests[0].Status != "closed" ||
		len(j.Requests[0].Activities) != 1 || j.Requests[0].Activities[0].Kind != "message" {
		t.Errorf("her journey: got %+v, want the message's request, renamed and closed", j.Requests)
	}
	noDialogs(t, map[string]*dialogLog{"desk": deskDialogs, "widget": customerDialogs})
}

// takeChat has the agent, Prêt in desk, accept the widget customer's request for an agent.
func takeChat(t *testing.T, desk, customer context.Context, srvURL string) {
	t.Helper()
	do(t, desk, "Prêt", chromedp.Click(chromedp.ID("ready")))
	waitPage(t, desk, "the agent is Prêt", `document.getElementById("state-label").textContent === "Prêt"`)
	openWidget(t, customer, srvURL)
	say(t, customer, "je veux parler à un conseiller")
	waitPage(t, desk, "the offer", `!document.getElementById("offer-box").hidden`)
	do(t, desk, "Accepter", chromedp.Click(chromedp.ID("offer-accept")))
	waitPage(t, desk, "the interaction's request", `!document.getElementById("interaction").hidden && document.getElementById("request-title-btn").textContent === "Nouvelle demande"`)
	waitUntil(t, customer, "the agent joined", `Array.from(r.querySelectorAll(".log .notice")).some(e => e.textContent.includes("a rejoint la conversation"))`)
}

// TestTypingBothWays: what the customer types shows « Le client écrit… » in the desk, and
// what the agent types shows « Camille écrit… » in the widget.
func TestTypingBothWays(t *testing.T) {
	srv := startDeskServer(t)
	srv.addAgent(t, "camille", "Camille")
	desk, _ := newTab(t)
	signIn(t, desk, srv, "camille")
	customer, _ := newTab(t)
	takeChat(t, desk, customer, srv.URL)

	do(t, customer, "the customer types", chromedp.SendKeys(in("textarea"), "Ma box"))
	waitPage(t, desk, "« Le client écrit… »", `document.getElementById("typing").textContent === "Le client écrit…"`)
	screenshot(t, desk, "typing-01-desk")
	do(t, desk, "the agent types", chromedp.SendKeys(chromedp.ID("reply-text"), "Je regarde"))
	waitUntil(t, customer, "« Camille écrit… »", `!r.querySelector(".typing").hidden && r.querySelector(".typing").textContent.includes("Camille écrit…")`)
	screenshot(t, customer, "typing-02-widget")
}

// TestTagsRequestStatusAndServerRefusal: on a chat's request, a tag is removed; Clore shows
// the closing date in the request icon's details and Rouvrir clears it; a customer with an
// e-mail another customer has is refused by the server, its message under the e-mail field.
func TestTagsRequestStatusAndServerRefusal(t *testing.T) {
	srv := startDeskServer(t)
	agent := srv.addAgent(t, "camille", "Camille")
	token := srv.session(t, agent.ID)
	records(t, srv, token, "POST", "/customers", 0, map[string]string{"name": "Jeanne Martin", "email": "jeanne@example.fr"}, nil, http.StatusCreated)
	desk, dialogs := newTab(t)
	signIn(t, desk, srv, "camille")
	customer, _ := newTab(t)
	takeChat(t, desk, customer, srv.URL)

	do(t, desk, "two tags", chromedp.SendKeys(chromedp.ID("tag-input"), "livraison"), enter)
	waitPage(t, desk, "the first tag", `document.querySelectorAll("#tags .tag").length === 1`)
	do(t, desk, "second tag", chromedp.SendKeys(chromedp.ID("tag-input"), "urgent"), enter)
	waitPage(t, desk, "the second tag", `document.querySelectorAll("#tags .tag").length === 2`)
	do(t, desk, "remove « livraison »", chromedp.Click(chromedp.CSS(`#tags .tag button[aria-label="Retirer le tag « livraison »"]`)))
	waitPage(t, desk, "one tag left", `document.querySelectorAll("#tags .tag").length === 1 && document.getElementById("tags").textContent.includes("urgent")`)
	actID := eval[string](t, desk, `document.getElementById("journey").querySelector(".act").dataset.id`)
	var act activityRec
	records(t, srv, token, "GET", "/activities/"+actID, 0, nil, &act, http.StatusOK)
	if !slices.Equal(act.Tags, []string{"urgent"}) {
		t.Errorf("tags saved: got %q, want [urgent]", act.Tags)
	}
	do(t, desk, "« Cœur de gamme »", chromedp.SendKeys(chromedp.ID("tag-input"), "Cœur de gamme"), enter)
	waitPage(t, desk, "two tags again", `document.querySelectorAll("#tags .tag").length === 2`)
	do(t, desk, "« coeur  de GAMME », the same tag", chromedp.SendKeys(chromedp.ID("tag-input"), "coeur  de GAMME"), enter)
	waitPage(t, desk, "refused as a duplicate", `document.getElementById("tag-error").textContent === "Ce tag existe déjà sur cette activité." && document.querySelectorAll("#tags .tag").length === 2`)
	eval[string](t, desk, `document.getElementById("tag-input").value = ""`) // clear the input

	do(t, desk, "the request icon", chromedp.Click(chromedp.ID("request-icon")))
	waitPage(t, desk, "Ouverte, no closing date", `!document.getElementById("request-details").hidden && document.getElementById("request-facts").textContent.includes("Ouverte") && !document.getElementById("request-facts").textContent.includes("Fermée le")`)
	do(t, desk, "Clore la demande", chromedp.Click(chromedp.ID("request-toggle-status")))
	waitPage(t, desk, "Fermée with its date", `document.getElementById("request-facts").textContent.includes("Fermée le") && document.getElementById("request-icon").dataset.status === "closed" && document.getElementById("request-toggle-status").textContent === "Rouvrir la demande"`)
	screenshot(t, desk, "request-01-closed")
	do(t, desk, "Rouvrir la demande", chromedp.Click(chromedp.ID("request-toggle-status")))
	waitPage(t, desk, "Ouverte again, the date cleared", `!document.getElementById("request-facts").textContent.includes("Fermée le") && document.getElementById("request-icon").dataset.status === "open" && document.getElementById("request-facts").textContent.includes("Ouverte")`)

	do(t, desk, "open the customer form", chromedp.Click(chromedp.ID("customer-name")))
	waitPage(t, desk, "the new customer form", `document.getElementById("customer-dialog").open && !document.getElementById("customer-create").hidden`)
	do(t, desk, "a second customer with Jeanne's e-mail",
		chromedp.SendKeys(chromedp.ID("cf-name"), "Paul Durand"),
		chromedp.SendKeys(chromedp.ID("cf-email"), "jeanne@example.fr"),
		chromedp.Click(chromedp.ID("customer-create")))
	waitPage(t, desk, "the server's refusal under the e-mail field", `document.getElementById("cf-email-error").textContent === "Un autre client a déjà cette adresse e-mail." && document.getElementById("cf-email").getAttribute("aria-invalid") === "true" && document.getElementById("customer-dialog").open`)
	screenshot(t, desk, "request-02-duplicate-email")
	noDialogs(t, map[string]*dialogLog{"desk": dialogs})
}
