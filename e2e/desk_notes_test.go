package e2e_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/relais/relais/server"
)

// TestInternalNoteStaysInTheDesk: in a conversation with a customer in the widget, the agent
// writes an internal note (« Note interne » checked), then a message. The desk shows the note
// as a note; the customer's widget shows the message and never the note, live or after a
// reload (the transcript read again). The box's counter has the limit of what it sends.
func TestInternalNoteStaysInTheDesk(t *testing.T) {
	srv := startDeskServer(t, func(c *server.Config) { c.MaxMessageLength = 300; c.OfferTimeout = time.Minute })
	srv.addAgent(t, "camille", "Camille")
	desk, _ := newTab(t)
	signIn(t, desk, srv, "camille")
	do(t, desk, "Prêt", chromedp.Click(chromedp.ID("ready")))
	waitPage(t, desk, "Prêt", `document.getElementById("state-label").dataset.state === "ready"`)

	customer, _ := newTab(t)
	openWidget(t, customer, srv.URL)
	say(t, customer, "je veux parler à un conseiller")
	waitPage(t, desk, "the offer", `!document.getElementById("offer-box").hidden`)
	do(t, desk, "Accepter", chromedp.Click(chromedp.ID("offer-accept")))
	waitUntil(t, customer, "the agent joined", `Array.from(r.querySelectorAll(".log .notice")).some(e => e.textContent.includes("Camille a rejoint"))`)

	const note, message = "NOTE-INTERNE-7C2: client déjà remboursé une fois", "Bonjour, je regarde votre dossier."
	// The counter follows the server's limit of what the box sends: 300 for a message here,
	// the desk's text limit for a note.
	waitPage(t, desk, "the message counter", `document.getElementById("reply-count").textContent === "0 / 300"`)
	do(t, desk, "Note interne", chromedp.Click(chromedp.ID("reply-note")))
	waitPage(t, desk, "the note counter", `/^0 \/ 2\s000$/.test(document.getElementById("reply-count").textContent)`)
	do(t, desk, "write the note", setValue("reply-text", note), chromedp.Click(chromedp.ID("reply-send")))
	waitPage(t, desk, "the note in the desk, as a note",
		`Array.from(document.querySelectorAll("#log .internal-note")).some(e => e.textContent.includes(`+quote(note)+`))`)
	do(t, desk, "back to the customer", chromedp.Click(chromedp.ID("reply-note")))
	do(t, desk, "write the message", setValue("reply-text", message), chromedp.Click(chromedp.ID("reply-send")))
	waitUntil(t, customer, "the message reaches the customer", `Array.from(r.querySelectorAll(".log .msg-agent")).some(e => e.textContent.includes(`+quote(message)+`))`)
	if got := eval[string](t, customer, shadow+`.textContent`); strings.Contains(got, "NOTE-INTERNE-7C2") {
		t.Errorf("the widget shows the note: %q", got)
	}
	do(t, customer, "reload the widget", chromedp.Reload())
	openWidget(t, customer, srv.URL)
	waitUntil(t, customer, "the transcript read again", `Array.from(r.querySelectorAll(".log .msg-agent")).some(e => e.textContent.includes(`+quote(message)+`))`)
	if got := eval[string](t, customer, shadow+`.textContent`); strings.Contains(got, "NOTE-INTERNE-7C2") {
		t.Errorf("after a reload the widget shows the note: %q", got)
	}
	screenshot(t, desk, "desk-note")
	screenshot(t, customer, "widget-no-note")
}
