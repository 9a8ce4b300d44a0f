package e2e_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/relais/relais/handoff"
)

// addSupervisor creates an agent account with the role « superviseur ».
func (s *deskServer) addSupervisor(t *testing.T, login, name string) handoff.Agent {
	t.Helper()
	a := s.addAgent(t, login, name)
	if err := s.accounts.SetRole(context.Background(), a.ID, handoff.RoleSupervisor); err != nil {
		t.Fatal(err)
	}
	return a
}

// allowDownloads saves the tab's downloads in a folder of the test, which it returns.
func allowDownloads(t *testing.T, tab context.Context) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := chromedp.Call(tab, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	return dir
}

// exportDoc is the part of export.json the tests read (docs/privacy.md, « Export »).
type exportDoc struct {
	Format   string
	Subject  struct{ Kind, ID string }
	Customer *struct{ Name string }
	Conv     []struct {
		ID     string
		Found  bool
		Events []chatEvent
	} `json:"conversations"`
}

// readExport opens a downloaded export: a ZIP holding export.json.
func readExport(t *testing.T, data string) exportDoc {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader([]byte(data)), int64(len(data)))
	if err != nil {
		t.Fatalf("the export is not a ZIP: %v", err)
	}
	f, err := zr.Open("export.json")
	if err != nil {
		t.Fatalf("the export's ZIP has no export.json: %v", err)
	}
	defer f.Close()
	var doc exportDoc
	if err := json.NewDecoder(f).Decode(&doc); err != nil {
		t.Fatalf("export.json: %v", err)
	}
	return doc
}

// said reports whether a conversation of the export holds the customer's text.
func (d exportDoc) said(text string) bool {
	for _, c := range d.Conv {
		for _, ev := range c.Events {
			if ev.Type == "message" && ev.From == "customer" && strings.Contains(ev.Text, text) {
				return true
			}
		}
	}
	return false
}

// TestSupervisorExportsAndErasesACustomer: Sophie Martin asks, in a chat, that her data be
// erased. Claire, a supervisor, previews the waiting task: Sophie's card has « Exporter les
// données » (the ZIP downloads, with export.json holding Sophie's record and words) and
// « Effacer les données… ». Bruno, a plain agent in another browser, takes the chat; Claire
// erases Sophie: the dialog says what goes and wants EFFACER typed, then shows the counts;
// Claire's desk drops Sophie's card, Bruno's shows the conversation ended, the customer is
// gone from the server, and the journal shows the erasure and the export, newest first.
// Screenshots at 1366 and 360 px.
func TestSupervisorExportsAndErasesACustomer(t *testing.T) {
	srv := startDeskServer(t, longOffers)
	claire := srv.addSupervisor(t, "claire", "Claire Chef")
	srv.addAgent(t, "bruno", "Bruno Petit")
	deskA, dialogsA := newTab(t)
	recordCSPViolations(t, deskA)
	deskB, dialogsB := newTab(t)
	for _, tab := range []context.Context{deskA, deskB} {
		do(t, tab, "1366×768", chromedp.EmulateViewport(1366, 768))
	}
	signIn(t, deskA, srv, "claire")
	signIn(t, deskB, srv, "bruno")
	if eval[bool](t, deskB, `!document.getElementById("journal-open").hidden`) {
		t.Errorf("Bruno, a plain agent, sees « Journal de confidentialité »")
	}
	waitPage(t, deskA, "« Journal de confidentialité » for Claire", `!document.getElementById("journal-open").hidden`)

	const words = "supprimez toutes mes données, merci"
	sophie := srv.startChat(t, signedIdentity("cl-sophie", "Sophie Martin", "sophie.martin@example.fr"))
	sophie.askForAgent(t)
	sophie.say(t, "Bonjour, "+words)
	waitPage(t, deskA, "Sophie's task in the queue", `document.querySelectorAll("#queue li .select").length === 1`)
	do(t, deskA, "Claire opens the task's records", chromedp.Click(chromedp.CSS("#queue li .select")))
	waitPage(t, deskA, "Sophie's card with the supervisor's buttons", `document.getElementById("customer-name").textContent === "Sophie Martin" &&
		!document.getElementById("card-privacy").hidden && document.getElementById("card-privacy-title").textContent === "Données personnelles (RGPD)"`)
	screenshot(t, deskA, "privacy-01-card-1366")

	downloads := allowDownloads(t, deskA)
	do(t, deskA, "Exporter les données", chromedp.Click(chromedp.ID("card-export")))
	waitPage(t, deskA, "the export downloaded", `document.getElementById("card-privacy-status").textContent.startsWith("Export téléchargé : relais-export-customer.zip")`)
	doc := readExport(t, waitFile(t, filepath.Join(downloads, "relais-export-customer.zip")))
	if doc.Format != "relais-privacy-export/1" || doc.Subject.Kind != "customer" || doc.Customer == nil || doc.Customer.Name != "Sophie Martin" || !doc.said(words) {
		t.Errorf("export.json: got format %q, subject %+v, customer %+v, Sophie's words there: %v; want Sophie's record and words", doc.Format, doc.Subject, doc.Customer, doc.said(words))
	}
	customerID := doc.Subject.ID
	do(t, deskA, "Journal de ce client", chromedp.Click(chromedp.ID("card-journal")))
	waitPage(t, deskA, "Sophie's entries only, the export first", `(() => {
		const items = Array.from(document.querySelectorAll("#journal-list li"));
		return !document.getElementById("journal-filter").hidden && document.getElementById("journal-subject").textContent.includes("Sophie Martin") &&
			items.length > 0 && items[0].dataset.action === "export" && items.every(li => li.querySelector(".journal-subject").textContent.startsWith("client · "));
	})()`)
	do(t, deskA, "Fermer", chromedp.Click(chromedp.ID("journal-close")))

	do(t, deskB, "Bruno takes the chat", chromedp.Click(chromedp.CSS("#queue li .take")))
	waitPage(t, deskB, "Bruno holds Sophie's chat", `document.querySelectorAll("#current-list li").length === 1 &&
		Array.from(document.querySelectorAll("#log .msg-customer")).some(e => e.textContent.includes(`+quote(words)+`))`)

	// At 360 px first: the card, the dialog, and Annuler erases nothing.
	do(t, deskA, "a phone", chromedp.EmulateViewport(360, 740))
	do(t, deskA, "scroll to the card", chromedp.Evaluate[chromedp.Void](`document.getElementById("card-privacy").scrollIntoView({block: "center"})`))
	screenshot(t, deskA, "privacy-02-card-360")
	do(t, deskA, "Effacer les données…", chromedp.Click(chromedp.ID("card-erase")))
	waitPage(t, deskA, "the erase dialog, its field focused, the button off", `document.getElementById("erase-dialog").open && document.activeElement.id === "erase-confirm-text" &&
		document.getElementById("erase-submit").disabled && document.getElementById("erase-title").textContent === "Effacer les données de Sophie Martin"`)
	if got := text(t, deskA, "erase-what"); !strings.Contains(got, "toutes ses conversations") || !strings.Contains(got, "conversation en cours") {
		t.Errorf("the dialog says %q of what goes, want her conversations and the one in progress", got)
	}
	if got := text(t, deskA, "erase-final"); !strings.Contains(got, "définitif") {
		t.Errorf("the dialog says %q, want that it cannot be undone", got)
	}
	do(t, deskA, "type a wrong word", chromedp.SendKeys(chromedp.ID("erase-confirm-text"), "EFFACE"))
	if !eval[bool](t, deskA, `document.getElementById("erase-submit").disabled`) {
		t.Errorf("« EFFACE » typed: the button is on, want it off until EFFACER")
	}
	fitsWidth(t, deskA)
	screenshot(t, deskA, "privacy-03-erase-dialog-360")
	do(t, deskA, "Annuler", chromedp.Click(chromedp.ID("erase-cancel")))
	waitPage(t, deskA, "the dialog closed", `!document.getElementById("erase-dialog").open`)
	records(t, srv, srv.session(t, claire.ID), "GET", "/customers/"+customerID, 0, nil, nil, http.StatusOK)

	do(t, deskA, "a laptop", chromedp.EmulateViewport(1366, 768))
	do(t, deskA, "Effacer les données…", chromedp.Click(chromedp.ID("card-erase")))
	waitPage(t, deskA, "the dialog, empty again", `document.getElementById("erase-dialog").open && document.getElementById("erase-confirm-text").value === ""`)
	do(t, deskA, "type EFFACER", chromedp.SendKeys(chromedp.ID("erase-confirm-text"), "EFFACER"))
	screenshot(t, deskA, "privacy-04-erase-dialog-1366")
	do(t, deskA, "Effacer définitivement", chromedp.Click(chromedp.ID("erase-submit")))
	waitPage(t, deskA, "what was erased, counted", `!document.getElementById("erase-done").hidden &&
		document.getElementById("erase-title").textContent === "Données de Sophie Martin effacées"`)
	counts := eval[map[string]string](t, deskA, `Object.fromEntries(Array.from(document.querySelectorAll("#erase-counts dt")).map(dt => [dt.textContent, dt.nextElementSibling.textContent]))`)
	if counts["Fiches client"] != "1" || counts["Conversations"] != "1" || counts["Tâches de routage"] == "0" || counts["Événements des conversations"] == "0" {
		t.Errorf("counts shown: %v, want 1 customer, 1 conversation, its events and task", counts)
	}
	screenshot(t, deskA, "privacy-05-erased-1366")
	do(t, deskA, "Fermer", chromedp.Click(chromedp.ID("erase-close")))
	waitPage(t, deskA, "Sophie's card dropped", `!document.getElementById("erase-dialog").open && !document.getElementById("records-empty").hidden &&
		document.getElementById("records-body").hidden && document.getElementById("desk-status").textContent === "Données de Sophie Martin effacées."`)

	waitPage(t, deskB, "Bruno's desk drops the erased conversation and says why", `document.querySelectorAll("#current-list li").length === 0 &&
		document.getElementById("desk-status").textContent === "Les données de ce client ont été effacées : sa conversation a été retirée du bureau."`)
	screenshot(t, deskB, "privacy-06-agent-released")
	records(t, srv, srv.session(t, claire.ID), "GET", "/customers/"+customerID, 0, nil, nil, http.StatusNotFound)

	do(t, deskA, "Journal de confidentialité", chromedp.Click(chromedp.ID("journal-open")))
	waitPage(t, deskA, "the journal, newest first: the erasure, then the export", `(() => {
		const items = Array.from(document.querySelectorAll("#journal-list li"));
		const erase = items.findIndex(li => li.dataset.action === "erase"), exp = items.findIndex(li => li.dataset.action === "export");
		return erase >= 0 && exp > erase && items[erase].textContent.includes("par claire") &&
			items[erase].querySelector(".journal-counts").textContent.includes("fiches client : 1") && items[erase].textContent.includes("client · empreinte");
	})()`)
	screenshot(t, deskA, "privacy-07-journal-1366")
	do(t, deskA, "a phone", chromedp.EmulateViewport(360, 740))
	fitsWidth(t, deskA)
	screenshot(t, deskA, "privacy-08-journal-360")
	checkCSP(t, deskA, "frame-ancestors 'none'")
	noDialogs(t, map[string]*dialogLog{"claire": dialogsA, "bruno": dialogsB})
}

// TestSupervisorErasesAnUnidentifiedConversation: a customer nobody identified wrote to
// Claire, a supervisor, who closed the chat. Found by its words (« Rechercher dans les
// conversations »), the conversation read has « Exporter les données » (a ZIP of that
// conversation) and « Effacer les données… »; once erased, the conversation leaves the
// results and « Fermées récemment », and the server has it no more.
func TestSupervisorErasesAnUnidentifiedConversation(t *testing.T) {
	srv := startDeskServer(t, longOffers)
	claire := srv.addSupervisor(t, "claire", "Claire Chef")
	tab, dialogs := newTab(t)
	do(t, tab, "1366×768", chromedp.EmulateViewport(1366, 768))
	signIn(t, tab, srv, "claire")
	const words = "Mon colis Xylophone n'est jamais arrivé"
	anonymous := srv.startChat(t, "")
	anonymous.say(t, words)
	anonymous.askForAgent(t)
	handleAndFind(t, tab, "xylophone", func() {
		waitPage(t, tab, "the conversation's buttons on the card while nobody identified the customer", `!document.getElementById("card-privacy").hidden &&
			document.getElementById("card-privacy-title").textContent === "Données de cette conversation (client non identifié)" && document.getElementById("card-journal").hidden`)
	})
	waitPage(t, tab, "the supervisor's buttons on the unidentified conversation", `!document.getElementById("history-privacy").hidden`)
	screenshot(t, tab, "privacy-09-unidentified-1366")

	downloads := allowDownloads(t, tab)
	do(t, tab, "Exporter les données", chromedp.Click(chromedp.ID("history-export")))
	waitPage(t, tab, "the export downloaded", `document.getElementById("history-privacy-status").textContent.startsWith("Export téléchargé : relais-export-conversation.zip")`)
	doc := readExport(t, waitFile(t, filepath.Join(downloads, "relais-export-conversation.zip")))
	if doc.Subject.Kind != "conversation" || doc.Subject.ID != anonymous.ID || doc.Customer != nil || !doc.said(words) {
		t.Errorf("export.json: got subject %+v, customer %+v, the words there: %v; want the conversation alone", doc.Subject, doc.Customer, doc.said(words))
	}

	do(t, tab, "Effacer les données…", chromedp.Click(chromedp.ID("history-erase")))
	waitPage(t, tab, "the erase dialog", `document.getElementById("erase-dialog").open && document.getElementById("erase-title").textContent.startsWith("Effacer cette conversation")`)
	do(t, tab, "type effacer (any case) and Entrée", chromedp.SendKeys(chromedp.ID("erase-confirm-text"), "effacer"), press(kb.Enter))
	if eval[bool](t, tab, `document.getElementById("reopen-section").hidden`) {
		t.Fatalf("the closed conversation is not under « Fermées récemment »")
	}
	waitPage(t, tab, "the conversation erased, out of the results and of « Fermées récemment »", `!document.getElementById("erase-done").hidden && !document.getElementById("history-dialog").open &&
		document.querySelectorAll("#desk-search-results li").length === 0 && document.getElementById("reopen-section").hidden`)
	if got := eval[string](t, tab, `(() => { const dt = Array.from(document.querySelectorAll("#erase-counts dt")).find(d => d.textContent === "Conversations"); return dt ? dt.nextElementSibling.textContent : ""; })()`); got != "1" {
		t.Errorf("conversations erased: the dialog says %q, want 1", got)
	}
	records(t, srv, srv.session(t, claire.ID), "GET", "/conversations/"+anonymous.ID+"/events", 0, nil, nil, http.StatusNotFound)
	noDialogs(t, map[string]*dialogLog{"claire": dialogs})
}

// TestAgentSeesNoPrivacyActions: Bruno, a plain agent, sees neither the journal, nor the
// export and erasure on a customer's card or on an unidentified conversation read; the
// server refuses him the journal with its French message all the same.
func TestAgentSeesNoPrivacyActions(t *testing.T) {
	srv := startDeskServer(t, longOffers)
	srv.addAgent(t, "bruno", "Bruno Petit")
	tab, dialogs := newTab(t)
	do(t, tab, "1366×768", chromedp.EmulateViewport(1366, 768))
	signIn(t, tab, srv, "bruno")
	known := srv.startChat(t, signedIdentity("cl-helene", "Hélène Martinez", "helene@example.fr"))
	known.askForAgent(t)
	waitPage(t, tab, "Hélène's task", `document.querySelectorAll("#queue li .select").length === 1`)
	do(t, tab, "Bruno opens the task's records", chromedp.Click(chromedp.CSS("#queue li .select")))
	waitPage(t, tab, "Hélène's card", `document.getElementById("customer-name").textContent === "Hélène Martinez"`)
	if eval[bool](t, tab, `!document.getElementById("card-privacy").hidden || !document.getElementById("journal-open").hidden`) {
		t.Errorf("a plain agent sees the supervisor's buttons on the card or in the header")
	}
	do(t, tab, "Bruno takes Hélène's chat", chromedp.Click(chromedp.CSS("#queue li .take")))
	waitPage(t, tab, "Bruno holds it", `document.querySelectorAll("#current-list li").length === 1 && !document.getElementById("interaction").hidden`)
	do(t, tab, "Fermer", chromedp.Click(chromedp.ID("close-conv")))
	confirmClose(t, tab)
	waitPage(t, tab, "Hélène's chat closed", `document.querySelectorAll("#current-list li").length === 0`)

	anonymous := srv.startChat(t, "")
	anonymous.say(t, "Mon colis Xylophone n'est jamais arrivé")
	anonymous.askForAgent(t)
	handleAndFind(t, tab, "xylophone", func() {
		if eval[bool](t, tab, `!document.getElementById("card-privacy").hidden`) {
			t.Errorf("a plain agent sees the export and erasure of the conversation held")
		}
	})
	if eval[bool](t, tab, `!document.getElementById("history-privacy").hidden`) {
		t.Errorf("a plain agent sees the export and erasure of an unidentified conversation")
	}
	tctx, cancel := context.WithTimeout(tab, waitFor)
	defer cancel()
	refused, err := chromedp.Run(tctx, chromedp.Evaluate[string](`fetch("/api/v1/desk/audit").then(async r => r.status + " " + (await r.json()).error.message)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("the journal asked from the page: %v", err)
	}
	if !strings.HasPrefix(refused, "403 Réservé aux superviseurs") {
		t.Errorf("the journal asked by a plain agent: got %q, want 403 « Réservé aux superviseurs… »", refused)
	}
	noDialogs(t, map[string]*dialogLog{"bruno": dialogs})
}

// handleAndFind has the agent of tab take the waiting chat, close it (creating no customer),
// find it with « Rechercher dans les conversations » by word and read it (« Lire »); held runs
// while the agent holds it.
func handleAndFind(t *testing.T, tab context.Context, word string, held func()) {
	t.Helper()
	waitPage(t, tab, "the chat in the queue", `document.querySelectorAll("#queue li .take").length === 1`)
	do(t, tab, "Prendre", chromedp.Click(chromedp.CSS("#queue li .take")))
	waitPage(t, tab, "the chat taken", `document.querySelectorAll("#current-list li").length === 1 && !document.getElementById("interaction").hidden`)
	held()
	do(t, tab, "Fermer", chromedp.Click(chromedp.ID("close-conv")))
	confirmClose(t, tab)
	waitPage(t, tab, "asked to create a customer", `!document.getElementById("close-quit").hidden`)
	do(t, tab, "Quitter sans créer", chromedp.Click(chromedp.ID("close-quit")))
	waitPage(t, tab, "the chat closed", `document.querySelectorAll("#current-list li").length === 0`)
	do(t, tab, "Rechercher dans les conversations", chromedp.Click(chromedp.ID("search-open")))
	do(t, tab, "search "+word, chromedp.SendKeys(chromedp.ID("desk-search"), word), press(kb.Enter))
	waitPage(t, tab, "the conversation found, its customer unknown", `document.querySelectorAll("#desk-search-results li").length === 1 &&
		document.querySelector("#desk-search-results .customer").textContent === "Client inconnu"`)
	do(t, tab, "Lire", chromedp.Click(chromedp.CSS("#desk-search-results .read-conv")))
	waitPage(t, tab, "the conversation read", `document.getElementById("history-dialog").open && !!document.querySelector("#history-log .msg-customer")`)
}

// fitsWidth fails when the page is wider than the window (a phone would scroll sideways).
func fitsWidth(t *testing.T, tab context.Context) {
	t.Helper()
	if w := eval[string](t, tab, `document.documentElement.scrollWidth > innerWidth ? document.documentElement.scrollWidth + " > " + innerWidth : ""`); w != "" {
		t.Errorf("the page is wider than the window: %s", w)
	}
}

// TestSupervisorErasesTheCustomerSheHolds: Claire, a supervisor, erases Paul while she holds
// his chat: the conversation leaves « En cours » (not kept as ended for her records, which
// are gone), and nothing of Paul stays on her desk. His name, which holds markup, stays text.
// While her role is taken away, the server's refusals show in French: beside the export
// button, and in the erase dialog, which stays open.
func TestSupervisorErasesTheCustomerSheHolds(t *testing.T) {
	srv := startDeskServer(t, longOffers)
	claire := srv.addSupervisor(t, "claire", "Claire Chef")
	tab, dialogs := newTab(t)
	do(t, tab, "1366×768", chromedp.EmulateViewport(1366, 768))
	signIn(t, tab, srv, "claire")
	const name = `Paul <b>Girard</b><img src=x onerror="window.pwned=1">`
	paul := srv.startChat(t, signedIdentity("cl-paul", name, "paul.girard@example.fr"))
	paul.askForAgent(t)
	paul.say(t, "Effacez mon compte et mes messages")
	waitPage(t, tab, "Paul's chat in the queue", `document.querySelectorAll("#queue li .take").length === 1`)
	do(t, tab, "Prendre", chromedp.Click(chromedp.CSS("#queue li .take")))
	waitPage(t, tab, "Claire holds Paul's chat", `document.querySelectorAll("#current-list li").length === 1 &&
		document.getElementById("customer-name").textContent === `+quote(name)+` && !document.getElementById("card-privacy").hidden`)
	setRole := func(role handoff.Role) {
		t.Helper()
		if err := srv.accounts.SetRole(context.Background(), claire.ID, role); err != nil {
			t.Fatal(err)
		}
	}
	setRole(handoff.RoleAgent)
	do(t, tab, "Exporter les données", chromedp.Click(chromedp.ID("card-export")))
	waitPage(t, tab, "the export refused, in French", `document.getElementById("card-privacy-status").textContent.startsWith("Réservé aux superviseurs") &&
		document.getElementById("card-privacy-status").classList.contains("refused") && !document.getElementById("card-export").disabled`)
	do(t, tab, "Effacer les données…", chromedp.Click(chromedp.ID("card-erase")))
	do(t, tab, "type EFFACER and Entrée", chromedp.SendKeys(chromedp.ID("erase-confirm-text"), "EFFACER"), press(kb.Enter))
	waitPage(t, tab, "the erasure refused, in French, the dialog open", `document.getElementById("erase-error").textContent.startsWith("Réservé aux superviseurs") &&
		document.getElementById("erase-dialog").open && document.getElementById("erase-done").hidden && !document.getElementById("erase-submit").disabled`)
	screenshot(t, tab, "privacy-10-erase-refused-1366")
	setRole(handoff.RoleSupervisor)
	do(t, tab, "Effacer définitivement", chromedp.Click(chromedp.ID("erase-submit")))
	waitPage(t, tab, "Paul erased, his name as text", `!document.getElementById("erase-done").hidden &&
		document.getElementById("erase-title").textContent === "Données de " + `+quote(name)+` + " effacées" && !document.querySelector("#erase-dialog b, #erase-dialog img")`)
	do(t, tab, "Fermer", chromedp.Click(chromedp.ID("erase-close")))
	waitPage(t, tab, "nothing of Paul left on the desk", `document.querySelectorAll("#current-list li").length === 0 && document.getElementById("conv").hidden &&
		document.getElementById("records-body").hidden && !document.body.innerText.includes("Effacez mon compte") && !document.querySelector(".records").innerText.includes("Paul") &&
		!document.querySelector(".conv").innerText.includes("Paul")`)
	if eval[bool](t, tab, `!!window.pwned`) {
		t.Errorf("Paul's name ran as markup")
	}
	noDialogs(t, map[string]*dialogLog{"claire": dialogs})
}
