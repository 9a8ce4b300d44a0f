package e2e_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/relais/relais/server"
)

// TestProcedurePickFromQueue walks the seed's first procedure, « choisir une tâche dans la
// file d'attente », in the browser: an agent Non prêt sees a known customer's task in the
// queue, looks at the customer, their requests and activities before taking it, takes it (it
// moves to En cours, its activity on the customer's most recent open request), edits the
// request's title and description, adds tags with Tab and Enter, updates the customer through
// their form, and closes.
func TestProcedurePickFromQueue(t *testing.T) {
	srv := startDeskServer(t)
	agent := srv.addAgent(t, "camille", "Camille")
	token := srv.session(t, agent.ID)
	identity := signedIdentity("C-1042", "Jeanne Martin", "jeanne.martin@example.fr")

	// The customer's history: an earlier request, closed, then a message left while no agent
	// was available (a newer request, open, with an activity of kind message).
	first := srv.startChat(t, identity)
	jeanne := customerByEmail(t, srv, token, "jeanne.martin@example.fr")
	var old requestRec
	records(t, srv, token, "POST", "/customers/"+jeanne.ID+"/requests", 0,
		map[string]string{"title": "Facture de mars", "description": "Montant contesté."}, &old, http.StatusCreated)
	records(t, srv, token, "PATCH", "/requests/"+old.ID, old.Version, map[string]string{"status": "closed"}, &old, http.StatusOK)
	first.askForAgent(t)
	first.leave(t, "Mon colis n'est jamais arrivé.")
	var before journeyRec
	records(t, srv, token, "GET", "/customers/"+jeanne.ID+"/journey", 0, nil, &before, http.StatusOK)
	if len(before.Requests) != 2 || before.Requests[0].Status != "open" {
		t.Fatalf("journey before: got %+v, want the left message's open request then the closed one", before.Requests)
	}
	left := before.Requests[0].requestRec

	// Today's conversation, waiting in the queue.
	today := srv.startChat(t, identity)
	today.askForAgent(t)

	tab, dialogs := newTab(t)
	signIn(t, tab, srv, "camille")
	waitPage(t, tab, "the agent is Non prêt", `document.getElementById("state-label").textContent === "Non prêt"`)
	waitPage(t, tab, "the task is in the queue", `document.querySelectorAll("#queue li").length === 1`)
	screenshot(t, tab, "procedure1-01-queue")

	// 1. Select the task: everything known about the customer, before accepting.
	do(t, tab, "select the task", chromedp.Click(chromedp.CSS("#queue li .select")))
	waitPage(t, tab, "the customer's information", `document.getElementById("customer-name").textContent === "Jeanne Martin" && document.getElementById("customer-info").textContent.includes("jeanne.martin@example.fr")`)
	waitPage(t, tab, "the customer's requests", `document.querySelectorAll("#journey > li").length === 2`)
	if got := text(t, tab, "journey"); !strings.Contains(got, "Message laissé par le client") || !strings.Contains(got, "Facture de mars") || !strings.Contains(got, "Fermée") {
		t.Errorf("journey shown: got %q, want both requests, the old one Fermée", got)
	}
	do(t, tab, "hover the left message's activity", chromedp.Click(chromedp.CSS("#journey .act")))
	waitPage(t, tab, "the activity's details", `document.getElementById("journey-detail").textContent.includes("Mon colis n'est jamais arrivé.")`)
	do(t, tab, "select the old request", chromedp.Click(chromedp.CSS("#journey > li:nth-child(2) .req")))
	waitPage(t, tab, "the request's details with its closing date", `document.getElementById("journey-detail").textContent.includes("Fermée le")`)
	screenshot(t, tab, "procedure1-02-preview")

	// 2. Take it: it moves to En cours, its activity on the most recent open request.
	do(t, tab, "take the task", chromedp.Click(chromedp.ID("preview-pick")))
	waitPage(t, tab, "the task is En cours", `document.querySelectorAll("#current-list li").length === 1 && document.querySelectorAll("#queue li").length === 0`)
	waitPage(t, tab, "the interaction's request", `!document.getElementById("interaction").hidden && document.getElementById("request-title-btn").textContent === "Message laissé par le client"`)
	waitPage(t, tab, "the transcript, the bot's part included", `document.querySelector("#log .msg-bot") && document.querySelector("#log .msg-customer")`)
	var after journeyRec
	records(t, srv, token, "GET", "/customers/"+jeanne.ID+"/journey", 0, nil, &after, http.StatusOK)
	if len(after.Requests) != 2 || after.Requests[0].ID != left.ID || len(after.Requests[0].Activities) != 2 || after.Requests[0].Activities[0].Kind != "chat" {
		t.Fatalf("journey after taking: got %+v, want the chat activity added to request %s", after.Requests, left.ID)
	}
	activity := after.Requests[0].Activities[0]
	screenshot(t, tab, "procedure1-03-taken")

	// 3. The title: click it, type, Enter.
	do(t, tab, "click the title", chromedp.Click(chromedp.ID("request-title-btn")))
	waitPage(t, tab, "the title field", `document.activeElement.id === "request-title"`)
	// The seed: « Les champs … ont une limite de 2 000 caractères »; the counter has it from the server.
	waitPage(t, tab, "the title's counter says 2 000", `/\/\s2\s000$/.test(document.getElementById("request-title-count").textContent)`)
	long := strings.Repeat("é", 2000)
	do(t, tab, "type a 2,000-character title", setValue("request-title", long), enter)
	waitPage(t, tab, "the 2,000-character title is saved", `document.getElementById("request-saved").textContent === "Demande enregistrée." && document.getElementById("request-title-btn").textContent === `+quote(long))
	do(t, tab, "click the title again", chromedp.Click(chromedp.ID("request-title-btn")))
	waitPage(t, tab, "the title field", `document.activeElement.id === "request-title"`)
	do(t, tab, "type a title", setValue("request-title", "Colis non livré"), enter)
	waitPage(t, tab, "the title is saved", `document.getElementById("request-saved").textContent === "Demande enregistrée." && document.getElementById("request-title-btn").textContent === "Colis non livré"`)

	// The request icon: status and creation date.
	do(t, tab, "open the request's details", chromedp.Click(chromedp.ID("request-icon")))
	waitPage(t, tab, "status and creation date", `!document.getElementById("request-details").hidden && document.getElementById("request-facts").textContent.includes("Ouverte") && document.getElementById("request-facts").textContent.includes("Créée le")`)

	// 4. The description: a counter, 2,001 characters refused, then saved.
	do(t, tab, "type 2,001 characters", setValue("request-description", strings.Repeat("é", 2001)))
	waitPage(t, tab, "the counter is over", `document.getElementById("request-description-count").classList.contains("over")`)
	do(t, tab, "save", chromedp.Click(chromedp.ID("request-save")))
	waitPage(t, tab, "2,001 characters refused", `document.getElementById("request-description-error").textContent === "2000 caractères au plus (2001 saisis)."`)
	screenshot(t, tab, "procedure1-04-description-too-long")
	const description = "Colis commandé le 3 mars, jamais reçu."
	do(t, tab, "type a description", setValue("request-description", description))
	waitPage(t, tab, "the counter", `document.getElementById("request-description-count").textContent.startsWith("`+strconv.Itoa(utf8.RuneCountInString(description))+` /")`)
	do(t, tab, "save", chromedp.Click(chromedp.ID("request-save")))
	waitPage(t, tab, "the description is saved", `document.getElementById("request-saved").textContent === "Demande enregistrée." && document.getElementById("request-description-error").textContent === ""`)
	var req requestRec
	records(t, srv, token, "GET", "/requests/"+left.ID, 0, nil, &req, http.StatusOK)
	if req.Title != "Colis non livré" || req.Description != "Colis commandé le 3 mars, jamais reçu." {
		t.Errorf("request saved: got %q / %q", req.Title, req.Description)
	}

	// 5. Tags: Tab and Enter create them; a duplicate ignoring case is refused.
	do(t, tab, "type a tag, Tab", chromedp.SendKeys(chromedp.ID("tag-input"), "livraison"), press(kb.Tab))
	waitPage(t, tab, "the first tag", `document.querySelectorAll("#tags .tag").length === 1 && document.activeElement.id === "tag-input"`)
	do(t, tab, "type a tag, Enter", chromedp.SendKeys(chromedp.ID("tag-input"), "Colis perdu"), enter)
	waitPage(t, tab, "the second tag", `document.querySelectorAll("#tags .tag").length === 2`)
	do(t, tab, "type a duplicate, Enter", chromedp.SendKeys(chromedp.ID("tag-input"), "Livraison"), enter)
	waitPage(t, tab, "the duplicate is refused", `document.getElementById("tag-error").textContent === "Ce tag existe déjà sur cette activité."`)
	screenshot(t, tab, "procedure1-05-tags")
	var act activityRec
	records(t, srv, token, "GET", "/activities/"+activity.ID, 0, nil, &act, http.StatusOK)
	if !slices.Equal(act.Tags, []string{"livraison", "Colis perdu"}) {
		t.Errorf("tags saved: got %q, want [livraison Colis perdu]", act.Tags)
	}
	// The server says the same when the page's list is stale.
	var dup struct {
		Error struct{ Code, Message string }
	}
	h := map[string]string{"Cookie": "relais_agent=" + token, "If-Match": `"` + strconv.FormatInt(act.Version, 10) + `"`}
	if got := call(t, "POST", srv.URL+"/api/v1/desk/activities/"+act.ID+"/tags", h, map[string]string{"tag": "LIVRAISON"}, &dup); got != http.StatusConflict || dup.Error.Message != "Ce tag existe déjà sur cette activité." {
		t.Errorf("duplicate tag at the server: got %d %+v", got, dup)
	}

	// 6. The customer's form: Modifier, then Enregistrer.
	do(t, tab, "click the customer's name", chromedp.Click(chromedp.ID("customer-name")))
	waitPage(t, tab, "the form, read-only", `document.getElementById("customer-dialog").open && !document.getElementById("customer-edit").hidden && document.getElementById("cf-name").readOnly`)
	do(t, tab, "Modifier", chromedp.Click(chromedp.ID("customer-edit")))
	waitPage(t, tab, "the form, editable", `!document.getElementById("cf-phone").readOnly && !document.getElementById("customer-save").hidden`)
	do(t, tab, "type a phone number", chromedp.SendKeys(chromedp.ID("cf-phone"), "06 12 34 56 78"))
	screenshot(t, tab, "procedure1-06-customer-form")
	do(t, tab, "Enregistrer", chromedp.Click(chromedp.ID("customer-save")))
	waitPage(t, tab, "the form is saved and closed", `!document.getElementById("customer-dialog").open && document.getElementById("customer-info").textContent.includes("06 12 34 56 78")`)
	if got := customerByEmail(t, srv, token, "jeanne.martin@example.fr"); got.Phone != "06 12 34 56 78" {
		t.Errorf("customer saved: phone %q", got.Phone)
	}

	// 7. Fermer asks first whether to end the conversation: Annuler keeps it going.
	do(t, tab, "Fermer", chromedp.Click(chromedp.ID("close-conv")))
	waitPage(t, tab, "asked whether to end the conversation", `document.getElementById("close-dialog").open && !document.getElementById("close-confirm").hidden && document.getElementById("close-dialog-text").textContent.includes("Terminer la conversation avec Jeanne Martin")`)
	if got := eval[string](t, tab, `document.activeElement.id`); got != "close-cancel" {
		t.Errorf("focus in the confirmation: got #%s, want #close-cancel (Entrée must not end it by mistake)", got)
	}
	screenshot(t, tab, "procedure1-07a-confirm-close")
	do(t, tab, "Annuler", chromedp.Click(chromedp.ID("close-cancel")))
	waitPage(t, tab, "still En cours", `!document.getElementById("close-dialog").open && document.querySelectorAll("#current-list li").length === 1 && !document.getElementById("reply").hidden`)
	// Nothing unsaved, a customer known: Terminer la conversation → the interaction ends.
	do(t, tab, "Fermer", chromedp.Click(chromedp.ID("close-conv")))
	confirmClose(t, tab)
	waitPage(t, tab, "the conversation has left En cours", `document.querySelectorAll("#current-list li").length === 0 && !document.getElementById("close-dialog").open`)
	screenshot(t, tab, "procedure1-07-closed")
	noDialogs(t, map[string]*dialogLog{"desk": dialogs})
}

// TestProcedureReceiveAutomatically walks the seed's second procedure, keyboard only, at
// 1280×720: the agent sets Prêt, receives an offer with its countdown, reaches Accepter with
// Tab and presses Enter; the unknown customer's interaction gets a new request; Fermer asks
// first about the unsaved description, then to create a customer: the form refuses a bad
// e-mail, then creates the customer, linked to the interaction.
func TestProcedureReceiveAutomatically(t *testing.T) {
	srv := startDeskServer(t)
	agent := srv.addAgent(t, "camille", "Camille")
	token := srv.session(t, agent.ID)

	tab, dialogs := newTab(t)
	do(t, tab, "1280×720", chromedp.EmulateViewport(1280, 720))
	signIn(t, tab, srv, "camille")
	tabTo(t, tab, "ready", 10)
	do(t, tab, "Prêt with Enter", press(kb.Enter))
	waitPage(t, tab, "the agent is Prêt", `document.getElementById("state-label").textContent === "Prêt"`)

	customer := srv.startChat(t, "")
	customer.askForAgent(t)
	waitPage(t, tab, "the offer", `!document.getElementById("offer-box").hidden`)
	first := eval[string](t, tab, `document.getElementById("offer-countdown").textContent`)
	waitPage(t, tab, "the countdown runs", `Number(document.getElementById("offer-countdown").textContent) < `+first)
	waitPage(t, tab, "the offer is announced", `document.getElementById("announcer").textContent.startsWith("Nouvelle tâche")`)
	screenshot(t, tab, "procedure2-01-offer-1280x720")
	fits(t, tab)

	n := tabTo(t, tab, "offer-accept", 15)
	t.Logf("Accepter reached with %d presses of Tab", n)
	if style := eval[string](t, tab, `getComputedStyle(document.activeElement).outlineStyle`); style == "none" {
		t.Errorf("the focused Accepter has no visible outline")
	}
	do(t, tab, "Accepter with Enter", press(kb.Enter))
	waitPage(t, tab, "the conversation is En cours", `document.querySelectorAll("#current-list li").length === 1 && document.getElementById("offer-box").hidden`)
	waitPage(t, tab, "a new request for the unknown customer", `!document.getElementById("interaction").hidden && document.getElementById("request-title-btn").textContent === "Nouvelle demande" && document.getElementById("customer-name").textContent.startsWith("Client inconnu")`)
	waitPage(t, tab, "the transcript", `document.querySelector("#log .msg-bot") && document.querySelector("#log .msg-customer")`)
	waitPage(t, tab, "the reply box has the focus", `document.activeElement.id === "reply-text"`)
	do(t, tab, "answer with Enter", chromedp.SendKeys(chromedp.ID("reply-text"), "Bonjour, je suis Camille."), enter)
	customer.say(t, "Ma box ne se connecte plus.")
	waitPage(t, tab, "the customer's message, live", `Array.from(document.querySelectorAll("#log .msg-customer")).some(e => e.textContent.includes("Ma box ne se connecte plus."))`)
	if !customer.sawAgentSay(t, "je suis Camille") {
		t.Errorf("the customer did not get the agent's answer")
	}
	screenshot(t, tab, "procedure2-02-accepted-1280x720")
	fits(t, tab)

	// An unsaved description, then Fermer: Enregistrer, then « Créer un client ».
	do(t, tab, "type a description", setValue("request-description", "Box hors service depuis ce matin."))
	do(t, tab, "Fermer", chromedp.Click(chromedp.ID("close-conv")))
	confirmClose(t, tab)
	waitPage(t, tab, "asked about unsaved changes", `document.getElementById("close-dialog").open && !document.getElementById("close-save").hidden && !document.getElementById("close-discard").hidden`)
	screenshot(t, tab, "procedure2-03-unsaved")
	do(t, tab, "Enregistrer with Enter", press(kb.Enter)) // the dialog's first button has the focus
	waitPage(t, tab, "asked to create a customer", `document.getElementById("close-dialog").open && !document.getElementById("close-create").hidden && !document.getElementById("close-quit").hidden`)
	screenshot(t, tab, "procedure2-04-no-customer")
	do(t, tab, "Créer un client", chromedp.Click(chromedp.ID("close-create")))
	waitPage(t, tab, "the new customer form", `document.getElementById("customer-dialog").open && !document.getElementById("customer-create").hidden && document.activeElement.id === "cf-name"`)
	do(t, tab, "fill the form with a bad e-mail",
		chromedp.SendKeys(chromedp.ID("cf-name"), "Paul Durand"),
		chromedp.SendKeys(chromedp.ID("cf-email"), "paul.durand@"),
		chromedp.Click(chromedp.ID("customer-create")))
	waitPage(t, tab, "the e-mail is refused", `document.getElementById("cf-email-error").textContent === "Adresse e-mail invalide." && document.getElementById("cf-email").getAttribute("aria-invalid") === "true"`)
	screenshot(t, tab, "procedure2-05-bad-email")
	do(t, tab, "fix the e-mail and Créer",
		setValue("cf-email", "paul.durand@example.fr"),
		chromedp.Click(chromedp.ID("customer-create")))
	waitPage(t, tab, "the interaction is closed", `!document.getElementById("customer-dialog").open && !document.getElementById("close-dialog").open && document.querySelectorAll("#current-list li").length === 0`)
	screenshot(t, tab, "procedure2-06-closed")

	paul := customerByEmail(t, srv, token, "paul.durand@example.fr")
	var j journeyRec
	records(t, srv, token, "GET", "/customers/"+paul.ID+"/journey", 0, nil, &j, http.StatusOK)
	if len(j.Requests) != 1 || j.Requests[0].Description != "Box hors service depuis ce matin." || len(j.Requests[0].Activities) != 1 {
		t.Errorf("the new customer's journey: got %+v, want the interaction's request with its description and activity", j.Requests)
	}
	noDialogs(t, map[string]*dialogLog{"desk": dialogs})
}

// TestOfferUnansweredMakesAgentNotReady: an offer left without an answer expires and the agent
// becomes Non prêt (the seed: « Votre état passe automatiquement sur Non prêt »).
func TestOfferUnansweredMakesAgentNotReady(t *testing.T) {
	srv := startDeskServer(t, func(c *server.Config) { c.OfferTimeout = 3 * time.Second })
	srv.addAgent(t, "camille", "Camille")
	tab, _ := newTab(t)
	signIn(t, tab, srv, "camille")
	do(t, tab, "Prêt", chromedp.Click(chromedp.ID("ready")))
	waitPage(t, tab, "the agent is Prêt", `document.getElementById("state-label").textContent === "Prêt"`)
	srv.startChat(t, "").askForAgent(t)
	waitPage(t, tab, "the offer", `!document.getElementById("offer-box").hidden`)
	waitPage(t, tab, "the offer expired and the agent is Non prêt", `document.getElementById("offer-box").hidden && document.getElementById("state-label").textContent === "Non prêt"`)
	waitPage(t, tab, "the agent is told", `document.getElementById("desk-error").textContent.includes("Non prêt")`)
	waitPage(t, tab, "the task is back in the queue", `document.querySelectorAll("#queue li").length === 1`)
	screenshot(t, tab, "procedure2-07-offer-expired")
}

// confirmClose answers « Terminer la conversation » to Fermer's first question.
func confirmClose(t *testing.T, tab context.Context) {
	t.Helper()
	waitPage(t, tab, "asked whether to end the conversation", `document.getElementById("close-dialog").open && !document.getElementById("close-confirm").hidden`)
	do(t, tab, "Terminer la conversation", chromedp.Click(chromedp.ID("close-confirm")))
}

// fits checks that the desk fits the window: no scrolling of the page, and every visible
// control inside the viewport.
func fits(t *testing.T, tab context.Context) {
	t.Helper()
	out := eval[string](t, tab, `(() => {
		const w = innerWidth, h = innerHeight, bad = [];
		if (document.documentElement.scrollWidth > w) bad.push("page width " + document.documentElement.scrollWidth);
		if (document.documentElement.scrollHeight > h) bad.push("page height " + document.documentElement.scrollHeight);
		for (const e of document.querySelectorAll("header button, header span, #offer-box button, #reply textarea, #reply button, #close-conv, .lists h2, .conv h2, .records h2")) {
			const r = e.getBoundingClientRect();
			if (r.width === 0 && r.height === 0) continue;
			if (r.left < 0 || r.top < 0 || r.right > w + 0.5 || r.bottom > h + 0.5) bad.push((e.id || e.textContent.trim().slice(0, 20)) + " at " + [r.left, r.top, r.right, r.bottom].map(Math.round).join(","));
		}
		return bad.join("; ");
	})()`)
	if out != "" {
		t.Errorf("the desk does not fit %s: %s", eval[string](t, tab, `innerWidth + "×" + innerHeight`), out)
	}
}
