package e2e_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestDeskConflictBetweenTwoAgents: two agents, in two browsers, hold two conversations of
// the same customer, so they share the customer's record and its open request. Each time A
// saves first, B's save (with the version B loaded) is refused with « Modifié par un autre
// agent. »; Charger shows A's version; B saves again, successfully. Nothing is overwritten
// silently.
func TestDeskConflictBetweenTwoAgents(t *testing.T) {
	srv := startDeskServer(t)
	alice := srv.addAgent(t, "alice", "Alice")
	srv.addAgent(t, "bruno", "Bruno")
	token := srv.session(t, alice.ID)
	identity := signedIdentity("C-7", "Marc Petit", "marc.petit@example.fr")
	srv.startChat(t, identity).askForAgent(t)
	srv.startChat(t, identity).askForAgent(t)

	a, aDialogs := newTab(t)
	b, bDialogs := newTab(t)
	signIn(t, a, srv, "alice")
	signIn(t, b, srv, "bruno")
	waitPage(t, a, "two tasks in the queue", `document.querySelectorAll("#queue li").length === 2`)
	do(t, a, "Alice takes the first", chromedp.Click(chromedp.CSS("#queue li:first-child .take")))
	waitPage(t, a, "Alice's interaction", `!document.getElementById("interaction").hidden && document.getElementById("customer-name").textContent === "Marc Petit"`)
	waitPage(t, b, "one task left", `document.querySelectorAll("#queue li").length === 1`)
	do(t, b, "Bruno takes the other", chromedp.Click(chromedp.CSS("#queue li .take")))
	waitPage(t, b, "Bruno's interaction", `!document.getElementById("interaction").hidden && document.getElementById("customer-name").textContent === "Marc Petit"`)
	requestID := eval[string](t, a, `document.querySelector("#journey > li.current .req").dataset.id`)
	if got := eval[string](t, b, `document.querySelector("#journey > li.current .req").dataset.id`); got != requestID {
		t.Fatalf("the two interactions are on requests %s and %s, want the customer's one open request", requestID, got)
	}

	// The request: Alice renames it, Bruno's description is refused, Charger, saved.
	do(t, a, "Alice clicks the title", chromedp.Click(chromedp.ID("request-title-btn")))
	do(t, a, "Alice types a title, Enter", setValue("request-title", "Remboursement"), enter)
	waitPage(t, a, "Alice's title is saved", `document.getElementById("request-saved").textContent === "Demande enregistrée."`)
	do(t, b, "Bruno types a description", setValue("request-description", "Demande le remboursement du colis."))
	do(t, b, "Bruno saves", chromedp.Click(chromedp.ID("request-save")))
	waitPage(t, b, "Modifié par un autre agent", `!document.getElementById("request-conflict").hidden && document.getElementById("request-conflict").textContent.includes("Modifié par un autre agent")`)
	if got := text(t, b, "request-title-btn"); got != "Nouvelle demande" {
		t.Errorf("Bruno's title before Charger: got %q, want his version's", got)
	}
	screenshot(t, b, "conflict-01-request")
	do(t, b, "Charger", chromedp.Click(chromedp.ID("request-load")))
	waitPage(t, b, "Alice's version", `document.getElementById("request-conflict").hidden && document.getElementById("request-title-btn").textContent === "Remboursement" && document.getElementById("request-description").value === ""`)
	// Charger does not throw Bruno's text away: « Votre version » shows it, to merge from.
	waitPage(t, b, "Bruno's version kept in sight", `!document.getElementById("request-mine").hidden && document.querySelector('#request-mine-list dd[data-field="description"]').textContent === "Demande le remboursement du colis." && !document.querySelector('#request-mine-list dd[data-field="title"]')`)
	screenshot(t, b, "conflict-01b-request-your-version")
	do(t, b, "Bruno takes his description back", chromedp.Click(chromedp.CSS(`#request-mine-list dt button`)))
	waitPage(t, b, "his description is in the field", `document.getElementById("request-description").value === "Demande le remboursement du colis." && !document.getElementById("request-save").disabled`)
	do(t, b, "Bruno saves", chromedp.Click(chromedp.ID("request-save")))
	waitPage(t, b, "Bruno's description is saved", `document.getElementById("request-saved").textContent === "Demande enregistrée." && document.getElementById("request-conflict").hidden`)
	var req requestRec
	records(t, srv, token, "GET", "/requests/"+requestID, 0, nil, &req, http.StatusOK)
	if req.Title != "Remboursement" || req.Description != "Demande le remboursement du colis." {
		t.Errorf("request: got %q / %q, want both agents' changes", req.Title, req.Description)
	}

	// The customer: both open the form and Modifier; Alice saves, Bruno is refused, Charger.
	for _, agent := range []struct {
		name string
		tab  context.Context
	}{{"Alice", a}, {"Bruno", b}} {
		do(t, agent.tab, agent.name+" opens the form", chromedp.Click(chromedp.ID("customer-name")))
		waitPage(t, agent.tab, agent.name+"'s form", `document.getElementById("customer-dialog").open && !document.getElementById("customer-edit").hidden`)
		do(t, agent.tab, agent.name+": Modifier", chromedp.Click(chromedp.ID("customer-edit")))
		waitPage(t, agent.tab, agent.name+"'s form is editable", `!document.getElementById("customer-save").hidden`)
	}
	do(t, a, "Alice types a phone number", chromedp.SendKeys(chromedp.ID("cf-phone"), "01 23 45 67 89"), chromedp.Click(chromedp.ID("customer-save")))
	waitPage(t, a, "Alice's change is saved", `!document.getElementById("customer-dialog").open && document.getElementById("customer-info").textContent.includes("01 23 45 67 89")`)
	do(t, b, "Bruno types notes", chromedp.SendKeys(chromedp.ID("cf-notes"), "Client fidèle."), chromedp.Click(chromedp.ID("customer-save")))
	waitPage(t, b, "Modifié par un autre agent", `!document.getElementById("customer-conflict").hidden && document.getElementById("customer-conflict").textContent.includes("Modifié par un autre agent") && document.getElementById("customer-dialog").open`)
	screenshot(t, b, "conflict-02-customer")
	do(t, b, "Charger", chromedp.Click(chromedp.ID("customer-load")))
	waitPage(t, b, "Alice's version in Bruno's form", `document.getElementById("customer-conflict").hidden && document.getElementById("cf-phone").value === "01 23 45 67 89" && document.getElementById("cf-notes").value === ""`)
	waitPage(t, b, "Bruno's notes kept in sight, and only them", `!document.getElementById("customer-mine").hidden && document.querySelector('#customer-mine-list dd[data-field="notes"]').textContent === "Client fidèle." && document.querySelectorAll("#customer-mine-list dd").length === 1`)
	screenshot(t, b, "conflict-02b-customer-your-version")
	do(t, b, "Bruno takes his notes back", chromedp.Click(chromedp.CSS(`#customer-mine-list dt button`)))
	waitPage(t, b, "his notes are in the field", `document.getElementById("cf-notes").value === "Client fidèle." && document.getElementById("cf-phone").value === "01 23 45 67 89"`)
	do(t, b, "Bruno saves", chromedp.Click(chromedp.ID("customer-save")))
	waitPage(t, b, "Bruno's change is saved", `!document.getElementById("customer-dialog").open && document.getElementById("customer-info").textContent.includes("Client fidèle.")`)
	screenshot(t, b, "conflict-03-saved")
	if got := customerByEmail(t, srv, token, "marc.petit@example.fr"); got.Phone != "01 23 45 67 89" || got.Notes != "Client fidèle." {
		t.Errorf("customer: got phone %q notes %q, want both agents' changes", got.Phone, got.Notes)
	}
	noDialogs(t, map[string]*dialogLog{"Alice": aDialogs, "Bruno": bDialogs})
}

// TestDeskShowsHostileTextAsText: what customers and agents write — messages, the customer's
// record, a request's title and description, a tag — is shown as text: no alert, no element
// injected, the markup visible as typed.
func TestDeskShowsHostileTextAsText(t *testing.T) {
	hostile := []string{
		`<img src=x onerror="window.__xss=1;alert(1)">`,
		`<script>window.__xss=2;alert(2)</script>`,
		`"><svg onload="window.__xss=3;alert(3)">`,
	}
	const tag = `<img src=x onerror=alert(4)>`
	srv := startDeskServer(t)
	agent := srv.addAgent(t, "camille", "Camille")
	token := srv.session(t, agent.ID)
	ch := srv.startChat(t, signedIdentity("X-1", hostile[0], ""))
	ch.say(t, hostile[1])
	ch.say(t, hostile[2])
	ch.askForAgent(t)

	var known struct{ Customer customerRec }
	records(t, srv, token, "GET", "/conversations/"+ch.ID, 0, nil, &known, http.StatusOK)
	records(t, srv, token, "PUT", "/customers/"+known.Customer.ID, known.Customer.Version, map[string]string{
		"name": hostile[0], "address": hostile[1], "notes": hostile[2], "language": "fr",
	}, nil, http.StatusOK)
	records(t, srv, token, "POST", "/customers/"+known.Customer.ID+"/requests", 0,
		map[string]string{"title": hostile[1], "description": hostile[2]}, nil, http.StatusCreated)

	tab, dialogs := newTab(t)
	signIn(t, tab, srv, "camille")
	waitPage(t, tab, "the task", `document.querySelectorAll("#queue li").length === 1`)
	do(t, tab, "select it", chromedp.Click(chromedp.CSS("#queue li .select")))
	waitPage(t, tab, "the hostile name, as text", `document.getElementById("customer-name").textContent === `+quote(hostile[0]))
	do(t, tab, "look at the request", chromedp.Click(chromedp.CSS("#journey .req")))
	waitPage(t, tab, "the hostile request, as text", `document.getElementById("journey-detail").textContent.includes(`+quote(hostile[2])+`)`)
	do(t, tab, "take it", chromedp.Click(chromedp.ID("preview-pick")))
	waitPage(t, tab, "the hostile messages, as text", `document.getElementById("log").textContent.includes(`+quote(hostile[1])+`) && document.getElementById("log").textContent.includes(`+quote(hostile[2])+`)`)
	waitPage(t, tab, "the hostile title, as text", `document.getElementById("request-title-btn").textContent === `+quote(hostile[1]))
	ch.say(t, hostile[0])
	waitPage(t, tab, "a live hostile message, as text", `document.getElementById("log").textContent.includes(`+quote(hostile[0])+`)`)
	do(t, tab, "a hostile tag", chromedp.SendKeys(chromedp.ID("tag-input"), tag), enter)
	waitPage(t, tab, "the hostile tag, as text", `document.getElementById("tags").textContent.includes(`+quote(tag)+`)`)
	do(t, tab, "a hostile reply", chromedp.SendKeys(chromedp.ID("reply-text"), hostile[2]), enter)
	waitPage(t, tab, "the hostile reply, as text", `Array.from(document.querySelectorAll("#log .msg-agent")).some(e => e.textContent.includes(`+quote(hostile[2])+`))`)
	do(t, tab, "open the customer's form", chromedp.Click(chromedp.ID("customer-name")))
	waitPage(t, tab, "the hostile fields, as values", `document.getElementById("cf-name").value === `+quote(hostile[0])+` && document.getElementById("cf-notes").value === `+quote(hostile[2]))
	screenshot(t, tab, "xss-01-form")
	do(t, tab, "close the form", press(kb.Escape))
	waitPage(t, tab, "the form is closed", `!document.getElementById("customer-dialog").open`)
	if got := text(t, tab, "customer-info"); !strings.Contains(got, hostile[1]) || !strings.Contains(got, hostile[2]) {
		t.Errorf("customer info: got %q, want the hostile address and notes as text", got)
	}
	screenshot(t, tab, "xss-02-desk")

	injected := eval[string](t, tab, `(() => {
		const bad = [];
		if (window.__xss !== undefined) bad.push("window.__xss = " + window.__xss);
		for (const e of document.querySelectorAll("img, svg, iframe, object, embed")) bad.push(e.outerHTML.slice(0, 80));
		for (const s of document.scripts) if (!s.src) bad.push("inline script: " + s.textContent.slice(0, 80));
		for (const e of document.querySelectorAll("*")) for (const a of e.attributes) if (a.name.startsWith("on")) bad.push(e.tagName + " " + a.name);
		return bad.join("; ");
	})()`)
	if injected != "" {
		t.Errorf("injected into the desk: %s", injected)
	}
	noDialogs(t, map[string]*dialogLog{"desk": dialogs})
}

// TestDeskLinksExistingCustomer: an unknown customer's interaction is linked, from the
// customer form, to a customer found by a search; the interaction's request moves to them.
func TestDeskLinksExistingCustomer(t *testing.T) {
	srv := startDeskServer(t)
	agent := srv.addAgent(t, "camille", "Camille")
	token := srv.session(t, agent.ID)
	var luc customerRec
	records(t, srv, token, "POST", "/customers", 0, map[string]string{"name": "Luc Bernard", "email": "luc.bernard@example.fr", "language": "fr"}, &luc, http.StatusCreated)
	srv.startChat(t, "").askForAgent(t)

	tab, dialogs := newTab(t)
	signIn(t, tab, srv, "camille")
	waitPage(t, tab, "the task", `document.querySelectorAll("#queue li").length === 1`)
	do(t, tab, "Prendre", chromedp.Click(chromedp.CSS("#queue li .take")))
	waitPage(t, tab, "an unknown customer", `!document.getElementById("interaction").hidden && document.getElementById("customer-name").textContent.startsWith("Client inconnu")`)
	linkBySearch(t, tab, "LUC.BERNARD@example.fr", "Luc Bernard", "link-01-search")
	waitPage(t, tab, "the interaction is Luc's", `!document.getElementById("customer-dialog").open && document.getElementById("customer-name").textContent === "Luc Bernard" && document.querySelectorAll("#journey > li.current").length === 1`)
	var j journeyRec
	records(t, srv, token, "GET", "/customers/"+luc.ID+"/journey", 0, nil, &j, http.StatusOK)
	if len(j.Requests) != 1 || len(j.Requests[0].Activities) != 1 || j.Requests[0].Activities[0].Kind != "chat" {
		t.Errorf("Luc's journey: got %+v, want the interaction's request and activity", j.Requests)
	}
	do(t, tab, "Fermer", chromedp.Click(chromedp.ID("close-conv")))
	confirmClose(t, tab)
	waitPage(t, tab, "closed without other questions", `document.querySelectorAll("#current-list li").length === 0 && !document.getElementById("close-dialog").open`)
	noDialogs(t, map[string]*dialogLog{"desk": dialogs})
}

// TestDeskLinksLeftMessageToExistingCustomer: a message left by an unknown customer is
// opened from « Messages laissés », linked with « Associer » to a customer found by a search;
// the list names them and the message's request is in their journey.
func TestDeskLinksLeftMessageToExistingCustomer(t *testing.T) {
	srv := startDeskServer(t)
	agent := srv.addAgent(t, "camille", "Camille")
	token := srv.session(t, agent.ID)
	var luc customerRec
	records(t, srv, token, "POST", "/customers", 0, map[string]string{"name": "Luc Bernard", "phone": "06 12 34 56 78"}, &luc, http.StatusCreated)
	chat := srv.startChat(t, "")
	chat.askForAgent(t)
	chat.leave(t, "Rappelez-moi au 06 12 34 56 78 s'il vous plaît.")

	tab, dialogs := newTab(t)
	signIn(t, tab, srv, "camille")
	waitPage(t, tab, "the message is listed", `document.querySelectorAll("#messages-list li").length === 1 && document.getElementById("messages-list").textContent.includes("Client inconnu")`)
	do(t, tab, "open the message", chromedp.Click(chromedp.CSS("#messages-list li .select")))
	waitPage(t, tab, "an unknown customer", `!document.getElementById("interaction").hidden && document.getElementById("customer-name").textContent.startsWith("Client inconnu")`)
	if got := text(t, tab, "message-meta"); !strings.Contains(got, "motif : Mettre en relation avec un agent") {
		t.Errorf("message meta: got %q, want the intent's French name", got)
	}
	linkBySearch(t, tab, "0612345678", "Luc Bernard", "")
	waitPage(t, tab, "the message is Luc's", `!document.getElementById("customer-dialog").open && document.getElementById("customer-name").textContent === "Luc Bernard"`)
	waitPage(t, tab, "the list names him", `document.getElementById("messages-list").textContent.includes("Luc Bernard")`)
	screenshot(t, tab, "messages-06-linked")
	var j journeyRec
	records(t, srv, token, "GET", "/customers/"+luc.ID+"/journey", 0, nil, &j, http.StatusOK)
	if len(j.Requests) != 1 || len(j.Requests[0].Activities) != 1 || j.Requests[0].Activities[0].Kind != "message" {
		t.Errorf("Luc's journey: got %+v, want the message's request and activity", j.Requests)
	}
	noDialogs(t, map[string]*dialogLog{"desk": dialogs})
}

// linkBySearch opens the customer form of the current interaction (an unknown customer),
// searches for query, expects exactly the customer named name and clicks « Associer »; shot,
// when not "", names a screenshot of the search.
func linkBySearch(t *testing.T, tab context.Context, query, name, shot string) {
	t.Helper()
	do(t, tab, "open the customer form", chromedp.Click(chromedp.ID("customer-name")))
	waitPage(t, tab, "the new customer form", `document.getElementById("customer-dialog").open && !document.getElementById("customer-search-form").hidden`)
	do(t, tab, "search "+query, chromedp.Click(chromedp.CSS("#customer-search-box summary")),
		chromedp.SendKeys(chromedp.ID("customer-search"), query),
		chromedp.Click(chromedp.ID("customer-search-btn")))
	waitPage(t, tab, "the customer found", `document.querySelectorAll("#customer-results li").length === 1 && document.getElementById("customer-results").textContent.includes(`+quote(name)+`)`)
	if shot != "" {
		screenshot(t, tab, shot)
	}
	do(t, tab, "Associer", chromedp.Click(chromedp.CSS("#customer-results li button")))
}
