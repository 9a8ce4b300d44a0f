package e2e_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/relais/relais/conversation"
)

// TestAgentSearchesEveryConversation: Sophie Martin's chat, with a photo, is closed; while the
// agent answers another customer, « Rechercher dans les conversations » finds Sophie's
// conversation by two of her words typed in any case, with her line as text; « Lire » (from
// the keyboard) opens it read-only at that line, marked, with the photo's thumbnail, and
// closing it brings the focus back to the result.
func TestAgentSearchesEveryConversation(t *testing.T) {
	s := startDeskServer(t)
	s.addAgent(t, "lea", "Léa")

	const line = `Mon colis Zorglub <b>est</b> resté chez le voisin`
	past := s.startChat(t, signedIdentity("cl-sophie", "Sophie Martin", "sophie.martin@example.fr"))
	past.say(t, line)
	addPhoto(t, conversation.NewStore(s.st, conversation.Options{}), past.ID)
	past.askForAgent(t)

	tab, dialogs := newTab(t)
	do(t, tab, "a laptop", chromedp.EmulateViewport(1366, 768))
	signIn(t, tab, s, "lea")
	take := func(what string) {
		t.Helper()
		waitPage(t, tab, what+" is queued", `document.querySelectorAll("#queue li .take").length === 1`)
		do(t, tab, "Prendre "+what, chromedp.Click(chromedp.CSS("#queue li .take")))
		waitPage(t, tab, what+" is taken", `document.querySelectorAll("#current-list li").length === 1 && !document.getElementById("interaction").hidden`)
	}
	take("Sophie's chat")
	waitPage(t, tab, "the photo in the conversation", `!!document.querySelector("#log .msg-file img.thumb")`)
	do(t, tab, "Fermer", chromedp.Click(chromedp.ID("close-conv")))
	confirmClose(t, tab)
	waitPage(t, tab, "Sophie's chat is closed", `document.querySelectorAll("#current-list li").length === 0`)

	s.startChat(t, "").askForAgent(t)
	take("another customer's chat")

	do(t, tab, "Rechercher dans les conversations", chromedp.Click(chromedp.ID("search-open")))
	waitPage(t, tab, "the search dialog, its field focused", `document.getElementById("search-dialog").open && document.activeElement.id === "desk-search"`)
	do(t, tab, "type « VOISIN zorglub » and Entrée", chromedp.SendKeys(chromedp.ID("desk-search"), "VOISIN zorglub"), press(kb.Enter))
	waitPage(t, tab, "Sophie's conversation found, her line as text", `(() => {
		const items = document.querySelectorAll("#desk-search-results li");
		return items.length === 1 && items[0].querySelector(".customer").textContent === "Sophie Martin" &&
			items[0].querySelector(".text").textContent === "Client : " + `+quote(line)+` && !items[0].querySelector("b");
	})()`)
	screenshot(t, tab, "search-01-results")

	do(t, tab, "Tab to « Lire » and Entrée", press(kb.Tab), press(kb.Tab))
	if got := eval[string](t, tab, `document.activeElement.textContent`); got != "Lire" {
		t.Fatalf("two Tabs from the field reach %q, want « Lire »", got)
	}
	do(t, tab, "Entrée", press(kb.Enter))
	waitPage(t, tab, "the conversation opens read-only at her line, marked, with the photo", `(() => {
		const found = document.querySelector("#history-log .found .text");
		const img = document.querySelector("#history-log .msg-file img.thumb");
		return document.getElementById("history-dialog").open && found && found.textContent === `+quote(line)+` &&
			img && img.complete && img.naturalWidth === 40 && !document.querySelector("#history-log b, #history-dialog textarea, #history-dialog input");
	})()`)
	screenshot(t, tab, "search-02-read")

	do(t, tab, "Échap", press(kb.Escape))
	waitPage(t, tab, "back on the result", `!document.getElementById("history-dialog").open && document.getElementById("search-dialog").open &&
		document.activeElement.classList.contains("read-conv")`)
	do(t, tab, "Échap", press(kb.Escape))
	waitPage(t, tab, "the search is closed, the conversation still open", `!document.getElementById("search-dialog").open &&
		document.querySelectorAll("#current-list li").length === 1`)
	noDialogs(t, map[string]*dialogLog{"desk": dialogs})
}

// addPhoto puts a 40×30 PNG sent by the customer in conversation id.
func addPhoto(t *testing.T, conv *conversation.Store, id string) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := range 40 {
		for y := range 30 {
			img.Set(x, y, color.RGBA{R: uint8(6 * x), G: 120, B: uint8(8 * y), A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := conv.PutAttachment(ctx, id, "colis.png", b.Bytes(), conversation.AttachmentQuota{Files: 5, Bytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	ev := conversation.Event{Type: conversation.TypeAttachment, From: conversation.FromCustomer, Attachment: &a}
	if _, err := conv.Append(ctx, id, []conversation.Event{ev}, conversation.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
}
