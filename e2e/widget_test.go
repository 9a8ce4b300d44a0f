package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/relais/relais/server"
)

// openWidget loads the demo page and opens the chat panel with the launcher button, unless
// the widget reopened it by itself (it remembers an open panel across page loads).
func openWidget(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	do(t, ctx, "load the demo page", chromedp.Navigate(base+"/"))
	waitUntil(t, ctx, "the launcher is shown", `r.querySelector(".launcher")`)
	if eval[bool](t, ctx, shadow+`.querySelector(".panel").hidden`) {
		do(t, ctx, "click the launcher", chromedp.Click(in(".launcher")))
	}
	waitUntil(t, ctx, "the bot's welcome is shown", `r.querySelector(".log .msg-bot")`)
}

// botCount is the JavaScript number of bot messages on screen.
const botCount = `r.querySelectorAll(".log .msg-bot").length`

// lastBot is the JavaScript text of the last bot message on screen.
const lastBot = `Array.from(r.querySelectorAll(".log .msg-bot .text")).pop()?.textContent ?? ""`

// checkNoDuplicates fails when two entries on screen carry the same sequence number.
func checkNoDuplicates(t *testing.T, ms []message) {
	t.Helper()
	seen := map[string]bool{}
	for _, m := range ms {
		if m.Seq == "" {
			continue
		}
		if seen[m.Seq] {
			t.Fatalf("event #%s shown twice:\n%s", m.Seq, format(ms))
		}
		seen[m.Seq] = true
	}
}

// TestOrderStatusConversation: a customer asks where the order is,
// answers the order-number question, sees the answer, reloads the page and finds the
// conversation as it was, and goes on.
func TestOrderStatusConversation(t *testing.T) {
	srv := startServer(t)
	ctx, dialogs := newTab(t)
	openWidget(t, ctx, srv.URL)
	waitUntil(t, ctx, "the input has the focus", `r.activeElement === r.querySelector("textarea")`)

	say(t, ctx, "où en est ma commande")
	waitUntil(t, ctx, "the bot asks for the order number",
		botCount+` >= 2 && (`+lastBot+`).includes("numéro de commande")`)
	say(t, ctx, "CMD-48213")
	waitUntil(t, ctx, "the bot answers about the order", botCount+` >= 3`)
	before := messages(t, ctx)
	if !contains(before, "bot", "CMD-48213") || !contains(before, "bot", orderStatus) {
		t.Errorf("no bot reply gives the status of CMD-48213 (%s):\n%s", orderStatus, format(before))
	}
	checkNoDuplicates(t, before)
	screenshot(t, ctx, "order-status")

	do(t, ctx, "reload the page", chromedp.Reload())
	waitUntil(t, ctx, "the history is shown again",
		`r.querySelectorAll(".log > .msg").length >= `+itoa(countMsgs(before)))
	after := messages(t, ctx)
	if got, want := format(dropSeq(after)), format(dropSeq(before)); got != want {
		t.Errorf("history after reload:\n%swant:\n%s", got, want)
	}
	checkNoDuplicates(t, after)
	screenshot(t, ctx, "order-status-after-reload")

	// The websocket resumed after the reload: the conversation goes on, nothing twice.
	n := eval[int](t, ctx, `document.querySelector("#relais-widget").shadowRoot.querySelectorAll(".log .msg-bot").length`)
	say(t, ctx, "merci")
	waitUntil(t, ctx, "the bot answers after the reload", botCount+` > `+itoa(n))
	waitUntil(t, ctx, "every message has its sequence number", `!r.querySelector(".log > .msg:not([data-seq])")`)
	checkNoDuplicates(t, messages(t, ctx))
	if d := dialogs.opened(); len(d) > 0 {
		t.Errorf("the page opened dialogs: %q", d)
	}
}

// TestQuickReply: clicking a suggested answer sends its text.
func TestQuickReply(t *testing.T) {
	srv := startServer(t)
	ctx, _ := newTab(t)
	openWidget(t, ctx, srv.URL)
	waitUntil(t, ctx, "the welcome offers quick replies", `r.querySelector(".quick button")`)
	labels := eval[[]string](t, ctx, `Array.from(`+shadow+`.querySelectorAll(".quick button"), b => b.textContent)`)
	choice := labels[0]
	for _, l := range labels {
		if strings.Contains(strings.ToLower(l), "commande") {
			choice = l
		}
	}
	do(t, ctx, "click the quick reply "+choice, chromedp.Click(chromedp.JSPath(
		`Array.from(`+shadow+`.querySelectorAll(".quick button")).find(b => b.textContent === `+quote(choice)+`)`)))
	waitUntil(t, ctx, "the quick reply is sent as the customer's message",
		`Array.from(r.querySelectorAll(".log .msg-customer .text")).some(e => e.textContent === `+quote(choice)+`)`)
	waitUntil(t, ctx, "the bot answers it", botCount+` >= 2`)
	ms := messages(t, ctx)
	if choice == "Suivre ma commande" && !contains(ms, "bot", "numéro de commande") {
		t.Errorf("after %q the bot should ask for the order number:\n%s", choice, format(ms))
	}
	if n := eval[int](t, ctx, shadow+`.querySelectorAll(".quick").length`); n > 1 {
		t.Errorf("%d groups of quick replies on screen, want at most the last message's", n)
	}
	waitUntil(t, ctx, "the focus is back in the input", `r.activeElement === r.querySelector("textarea")`)
	screenshot(t, ctx, "quick-reply")
}

// TestCustomerTextIsNeverHTML: what the customer types is shown as typed and never runs.
func TestCustomerTextIsNeverHTML(t *testing.T) {
	const payload = `<img src=x onerror=alert(1)>`
	srv := startServer(t)
	ctx, dialogs := newTab(t)
	openWidget(t, ctx, srv.URL)
	say(t, ctx, payload)
	waitUntil(t, ctx, "the bot answers", botCount+` >= 2`)
	check := func(when string) {
		t.Helper()
		ms := messages(t, ctx)
		if !contains(ms, "customer", payload) {
			t.Errorf("%s: the customer's text is not shown as typed:\n%s", when, format(ms))
		}
		imgs := eval[int](t, ctx, `document.querySelectorAll("img").length + `+shadow+`.querySelectorAll("img").length`)
		if imgs != 0 {
			t.Errorf("%s: %d <img> elements in the page, want 0", when, imgs)
		}
		if d := dialogs.opened(); len(d) > 0 {
			t.Errorf("%s: the customer's text ran as script, dialogs: %q", when, d)
		}
	}
	check("live")
	do(t, ctx, "reload the page", chromedp.Reload())
	waitUntil(t, ctx, "the history is shown again", `r.querySelectorAll(".log .msg-customer").length >= 1`)
	check("after reload")
	screenshot(t, ctx, "html-as-text")
}

// TestSmallScreen: at 360 px wide the panel fills the screen, and the keyboard works.
func TestSmallScreen(t *testing.T) {
	srv := startServer(t)
	ctx, _ := newTab(t)
	do(t, ctx, "emulate a 360 px phone", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	openWidget(t, ctx, srv.URL)
	box := eval[map[string]float64](t, ctx, `(() => { const b = `+shadow+`.querySelector(".panel").getBoundingClientRect();
		return {x: b.x, y: b.y, w: b.width, h: b.height, vw: innerWidth, vh: innerHeight}; })()`)
	if box["x"] != 0 || box["y"] != 0 || box["w"] != box["vw"] || box["h"] != box["vh"] || box["vw"] != 360 {
		t.Errorf("panel at 360 px: got %v, want the whole %vx%v viewport", box, box["vw"], box["vh"])
	}
	if overflow := eval[bool](t, ctx, `(() => { const l = `+shadow+`.querySelector(".panel"); return l.scrollWidth > l.clientWidth; })()`); overflow {
		t.Errorf("the panel scrolls sideways at 360 px")
	}
	say(t, ctx, "où en est ma commande")
	waitUntil(t, ctx, "the bot answers", botCount+` >= 2`)
	screenshot(t, ctx, "small-screen-360")

	do(t, ctx, "press Escape", chromedp.KeyEvent(kb.Escape))
	waitUntil(t, ctx, "Escape closes the panel and gives the focus back to the launcher",
		`r.querySelector(".panel").hidden && r.activeElement === r.querySelector(".launcher")`)
	do(t, ctx, "press Enter on the launcher", chromedp.KeyEvent(kb.Enter))
	waitUntil(t, ctx, "Enter on the launcher opens the panel on the input",
		`!r.querySelector(".panel").hidden && r.activeElement === r.querySelector("textarea")`)
}

// TestMessageTooLong: the page counts characters up to the server's limit, which it reads from
// the server (configured to 300 here: the page holds no copy); the server refuses a longer
// message and the widget shows its French explanation and gives the text back.
func TestMessageTooLong(t *testing.T) {
	srv := startServer(t, func(c *server.Config) { c.MaxMessageLength = 300 })
	ctx, _ := newTab(t)
	openWidget(t, ctx, srv.URL)
	waitUntil(t, ctx, "the counter has the server's limit", `r.querySelector(".counter").textContent === "0 / 300"`)
	do(t, ctx, "paste 301 characters", chromedp.Evaluate[chromedp.Void](`(() => {
		const ta = `+shadow+`.querySelector("textarea");
		ta.value = "a".repeat(301);
		ta.dispatchEvent(new Event("input", {bubbles: true}));
	})()`))
	counter := eval[string](t, ctx, shadow+`.querySelector(".counter").textContent`)
	if counter != "301 / 300" {
		t.Errorf("counter: got %q, want %q", counter, "301 / 300")
	}
	say(t, ctx, "")
	waitUntil(t, ctx, "the error is shown", `!r.querySelector(".alert").hidden`)
	alert := eval[string](t, ctx, shadow+`.querySelector(".alert").textContent`)
	t.Logf("error shown: %s", alert)
	if !strings.Contains(alert, "300") || strings.Contains(alert, "code 4") {
		t.Errorf("error: got %q, want the server's French message with its limit", alert)
	}
	if n := eval[int](t, ctx, shadow+`.querySelector("textarea").value.length`); n != 301 {
		t.Errorf("the text was not given back: %d characters in the input, want 301", n)
	}
	if n := eval[int](t, ctx, shadow+`.querySelectorAll(".log .msg-customer").length`); n != 0 {
		t.Errorf("%d refused messages left on screen, want 0", n)
	}
	screenshot(t, ctx, "message-too-long")
}

func itoa(n int) string { return strconv.Itoa(n) }

// countMsgs counts the messages (not the notices) in ms.
func countMsgs(ms []message) int {
	n := 0
	for _, m := range ms {
		if m.From != "notice" {
			n++
		}
	}
	return n
}

// dropSeq forgets sequence numbers, to compare what the customer sees.
func dropSeq(ms []message) []message {
	out := make([]message, len(ms))
	for i, m := range ms {
		out[i] = message{From: m.From, Text: m.Text}
	}
	return out
}

// TestResumesAfterNetworkDrop: the connections to the server are cut in the middle of a
// conversation; the customer goes on, the widget reconnects its websocket with after= and
// shows every event once.
func TestResumesAfterNetworkDrop(t *testing.T) {
	srv := startServer(t)
	ctx, _ := newTab(t)
	openWidget(t, ctx, srv.URL)
	say(t, ctx, "où en est ma commande")
	waitUntil(t, ctx, "the bot asks for the order number", botCount+` >= 2`)
	waitUntil(t, ctx, "every message has its sequence number", `!r.querySelector(".log > .msg:not([data-seq])")`)

	if n := srv.dropConnections(); n == 0 {
		t.Fatal("no connection to cut: the widget holds no websocket")
	}
	say(t, ctx, "CMD-48213")
	waitUntil(t, ctx, "the bot answers after the drop", botCount+` >= 3`)
	waitUntil(t, ctx, "the websocket is back", `r.querySelector(".banner").hidden`)

	// An event that only the websocket can bring: a second tab's message of the same
	// conversation (same localStorage), seen live in the first tab, whose panel is closed.
	do(t, ctx, "close the first tab's panel", chromedp.Click(in(".icon-btn")))
	tab2 := anotherTab(t, ctx)
	openWidget(t, tab2, srv.URL)
	waitUntil(t, tab2, "the second tab shows the history", botCount+` >= 3`)
	say(t, tab2, "merci")
	waitUntil(t, ctx, "the first tab sees the second tab's message through its websocket",
		`Array.from(r.querySelectorAll(".log .msg-customer .text")).some(e => e.textContent === "merci") && `+botCount+` >= 4`)
	waitUntil(t, ctx, "the launcher flags the news, for the eyes and for screen readers",
		`!r.querySelector(".badge").hidden && r.querySelector(".launcher").getAttribute("aria-label").includes("nouveau message")`)
	do(t, ctx, "open the first tab's panel", chromedp.Click(in(".launcher")))
	ms := messages(t, ctx)
	checkNoDuplicates(t, ms)
	if got, want := countMsgs(ms), 7; got != want {
		t.Errorf("got %d messages, want %d:\n%s", got, want, format(ms))
	}
	screenshot(t, ctx, "after-network-drop")
}

// TestHandoffAndEnd: asking for a person puts the conversation in the agent queue (the
// customer may go on writing, the bot stays silent); a conversation the bot ends offers a new
// one, which starts afresh.
func TestHandoffAndEnd(t *testing.T) {
	srv := startServer(t)
	ctx, _ := newTab(t)
	openWidget(t, ctx, srv.URL)
	say(t, ctx, "je veux parler à un conseiller")
	waitUntil(t, ctx, "the bot hands over", `r.querySelectorAll(".log .msg-bot, .log .msg-system").length >= 2`)
	ms := messages(t, ctx)
	if !contains(ms, "bot", "conseiller") && !contains(ms, "system", "conseiller") {
		t.Errorf("no message says a person will answer:\n%s", format(ms))
	}
	say(t, ctx, "ma box ne marche plus")
	waitUntil(t, ctx, "the message for the agent is stored, without a bot answer",
		`Array.from(r.querySelectorAll(".log .msg-customer")).every(e => e.dataset.seq) && r.querySelector(".typing").hidden`)
	if got := countMsgs(messages(t, ctx)); got != countMsgs(ms)+1 {
		t.Errorf("after the handoff: got %d messages, want %d (no bot answer):\n%s", got, countMsgs(ms)+1, format(messages(t, ctx)))
	}
	screenshot(t, ctx, "handoff")

	// A new conversation (another profile would do as well; the restart button is simpler).
	do(t, ctx, "forget the conversation", chromedp.Evaluate[chromedp.Void](`localStorage.clear()`))
	do(t, ctx, "reload the page", chromedp.Reload())
	openWidget(t, ctx, srv.URL)
	say(t, ctx, "merci beaucoup, au revoir")
	waitUntil(t, ctx, "the end of the conversation is shown with a way to start again",
		`r.querySelector(".notice.closed") && !r.querySelector(".restart").hidden && r.querySelector("form").hidden`)
	waitUntil(t, ctx, "the keyboard focus is on the restart button", `r.activeElement === r.querySelector(".restart-btn")`)
	first := eval[string](t, ctx, `JSON.parse(Object.entries(localStorage).find(([k]) => k.startsWith("relais:"))[1]).id`)
	screenshot(t, ctx, "closed")
	do(t, ctx, "press Enter on the restart button", chromedp.KeyEvent(kb.Enter))
	waitUntil(t, ctx, "a new conversation starts with the welcome",
		`r.querySelectorAll(".log > *").length >= 1 && r.querySelectorAll(".log .msg").length === 1 && r.querySelector(".log .msg-bot") && !r.querySelector("form").hidden`)
	second := eval[string](t, ctx, `JSON.parse(Object.entries(localStorage).find(([k]) => k.startsWith("relais:"))[1]).id`)
	if second == first {
		t.Errorf("the new conversation has the old id %s", first)
	}
}

// TestRateLimited: over the per-conversation limit the server answers 429; the widget says so,
// waits for Retry-After and sends the same message again with the same idempotency key, so it
// is stored once.
func TestRateLimited(t *testing.T) {
	srv := startServer(t, func(c *server.Config) {
		c.MessagesPerConversation, c.RateWindow = 2, 3*time.Second
	})
	ctx, _ := newTab(t)
	openWidget(t, ctx, srv.URL)
	say(t, ctx, "bonjour")
	waitUntil(t, ctx, "the bot answers", botCount+` >= 2`)
	say(t, ctx, "où en est ma commande")
	waitUntil(t, ctx, "the bot answers", botCount+` >= 3`)
	say(t, ctx, "CMD-48213")
	waitUntil(t, ctx, "the widget says it will try again", `!r.querySelector(".alert").hidden && r.querySelector(".alert").textContent.includes("Nouvel essai")`)
	alert := eval[string](t, ctx, shadow+`.querySelector(".alert").textContent`)
	t.Logf("shown: %s", alert)
	screenshot(t, ctx, "rate-limited")
	waitUntil(t, ctx, "the message goes through after the wait", botCount+` >= 4 && r.querySelector(".alert").hidden`)
	waitUntil(t, ctx, "every message has its sequence number", `!r.querySelector(".log > .msg:not([data-seq])")`)
	ms := messages(t, ctx)
	checkNoDuplicates(t, ms)
	n := 0
	for _, m := range ms {
		if m.From == "customer" && m.Text == "CMD-48213" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the retried message is shown %d times, want once:\n%s", n, format(ms))
	}
	if !contains(ms, "bot", orderStatus) {
		t.Errorf("no answer to the retried message:\n%s", format(ms))
	}
}

// TestEmbeddedOnAnotherSite: a shop's page on another origin embeds the widget with one
// script tag. The widget finds the API next to its script, talks to it across origins (CORS
// and websocket origin from RELAIS_ALLOWED_ORIGINS), and the shop's CSS does not reach it.
func TestEmbeddedOnAnotherSite(t *testing.T) {
	var relais string
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Boutique</title>
<style>* { font-size: 40px !important; color: red !important; } button { all: unset; }</style></head>
<body><h1>Une boutique partenaire</h1>
<script src="%s/widget.js" defer></script></body></html>`, relais)
	}))
	defer shop.Close()
	srv := startServer(t, func(c *server.Config) { c.AllowedOrigins = []string{shop.URL} })
	relais = srv.URL

	ctx, _ := newTab(t)
	openWidget(t, ctx, shop.URL)
	say(t, ctx, "où en est ma commande")
	waitUntil(t, ctx, "the bot answers across origins", botCount+` >= 2`)
	waitUntil(t, ctx, "the websocket delivers the customer's message", `!r.querySelector(".log > .msg:not([data-seq])") && r.querySelector(".banner").hidden`)
	style := eval[map[string]string](t, ctx, `(() => {
		const r = `+shadow+`;
		const b = getComputedStyle(r.querySelector(".msg-bot .bubble"));
		const l = getComputedStyle(r.querySelector(".launcher"));
		return {font: b.fontSize, color: b.color, launcher: l.width};
	})()`)
	if style["font"] != "15px" || style["color"] == "rgb(255, 0, 0)" || style["launcher"] != "60px" {
		t.Errorf("the shop's CSS reached the widget: %v", style)
	}
	key := eval[string](t, ctx, `Object.keys(localStorage).find(k => k.startsWith("relais:")) || ""`)
	if want := "relais:conversation:" + srv.URL + "/"; key != want {
		t.Errorf("stored under %q, want %q (the API found from the script's address)", key, want)
	}
	screenshot(t, ctx, "embedded-on-another-site")
}

// atBottom is true when the conversation is scrolled to its end (the last message and its
// buttons in view).
const atBottom = `(l => l.scrollHeight - l.scrollTop - l.clientHeight < 2)(r.querySelector(".log"))`

// TestFlowAnswersOnAPhone: a flow in the widget at 360 px — a wrong answer
// gets the question again with the ways out as buttons, a correction at the confirmation
// replaces the value, and « Oui » clicked confirms.
func TestFlowAnswersOnAPhone(t *testing.T) {
	srv := startServer(t)
	ctx, dialogs := newTab(t)
	do(t, ctx, "emulate a 360 px phone", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	openWidget(t, ctx, srv.URL)
	say(t, ctx, "je voudrais changer mon adresse e-mail")
	waitUntil(t, ctx, "the bot asks for the customer number", botCount+` >= 2 && (`+lastBot+`).includes("numéro client")`)
	say(t, ctx, "12345678")
	waitUntil(t, ctx, "the bot asks for the e-mail", botCount+` >= 3 && (`+lastBot+`).includes("adresse e-mail")`)
	say(t, ctx, "jean@")
	waitUntil(t, ctx, "the bot asks again, saying how to leave", botCount+` >= 4 && (`+lastBot+`).includes("annuler")`)
	buttons := eval[[]string](t, ctx, `Array.from(`+shadow+`.querySelectorAll(".quick button"), b => b.textContent)`)
	if strings.Join(buttons, "|") != "Annuler|Parler à un conseiller" {
		t.Errorf("got buttons %q after a wrong answer, want Annuler and Parler à un conseiller", buttons)
	}
	waitUntil(t, ctx, "the long answer is scrolled into view", atBottom)
	screenshot(t, ctx, "flow-retry-360")
	say(t, ctx, "jean@exemple.fr")
	waitUntil(t, ctx, "the bot asks for confirmation", botCount+` >= 5 && (`+lastBot+`).includes("jean@exemple.fr")`)
	say(t, ctx, "non, en fait c'est paul.martin@exemple.fr")
	waitUntil(t, ctx, "the bot confirms the corrected address", botCount+` >= 6 && (`+lastBot+`).includes("paul.martin@exemple.fr")`)
	waitUntil(t, ctx, "the confirmation is scrolled into view", atBottom)
	screenshot(t, ctx, "flow-correction-360")
	do(t, ctx, "click Oui", chromedp.Click(chromedp.JSPath(
		`Array.from(`+shadow+`.querySelectorAll(".quick button")).find(b => b.textContent === "Oui")`)))
	waitUntil(t, ctx, "the change is confirmed", botCount+` >= 7 && (`+lastBot+`).includes("e-mail de validation")`)
	if eval[bool](t, ctx, shadow+`.querySelector("textarea").disabled`) {
		t.Error("the conversation is closed after a confirmation, want it open")
	}
	waitUntil(t, ctx, "the last answer is scrolled into view", atBottom)
	screenshot(t, ctx, "flow-confirmed-360")
	if d := dialogs.opened(); len(d) > 0 {
		t.Errorf("the page opened dialogs: %q", d)
	}
}

// TestLongAnswerReadFromItsStart: each bot answer taller than the conversation's view is
// shown from its first line, not from its last.
func TestLongAnswerReadFromItsStart(t *testing.T) {
	srv := startServer(t)
	ctx, _ := newTab(t)
	do(t, ctx, "emulate a small phone", chromedp.EmulateViewport(320, 420, chromedp.EmulateMobile))
	openWidget(t, ctx, srv.URL)
	say(t, ctx, "je ne comprends pas ma facture, vous pouvez m'expliquer les lignes ?")
	waitUntil(t, ctx, "the long answer is shown", botCount+` >= 2`)
	const lastTop = `(l => { const m = Array.from(l.querySelectorAll(".msg")).pop(); return m.getBoundingClientRect().top - l.getBoundingClientRect().top; })(r.querySelector(".log"))`
	tall := eval[bool](t, ctx, `(l => Array.from(l.querySelectorAll(".msg")).pop().offsetHeight > l.clientHeight)(`+shadow+`.querySelector(".log"))`)
	if !tall {
		t.Skip("the answer fits in the view at this size; nothing to check")
	}
	waitUntil(t, ctx, "the answer's first line is at the top of the view", lastTop+` >= 0 && `+lastTop+` < 40`)
	screenshot(t, ctx, "long-answer-from-its-start")

	// The next long answer too, though the view was left at the start of the first one.
	n := eval[int](t, ctx, `(() => { const r = `+shadow+`; return `+botCount+`; })()`)
	say(t, ctx, "comment passer commande ?")
	waitUntil(t, ctx, "the second answer is shown", botCount+` > `+itoa(n))
	if !eval[bool](t, ctx, `(l => Array.from(l.querySelectorAll(".msg")).pop().offsetHeight > l.clientHeight)(`+shadow+`.querySelector(".log"))`) {
		t.Fatalf("the second answer fits in the view: it proves nothing\n%s", dumpLog(ctx))
	}
	waitUntil(t, ctx, "the second answer's first line is at the top of the view", lastTop+` >= 0 && `+lastTop+` < 40`)
	screenshot(t, ctx, "long-answer-from-its-start-2")
}

// TestFavicon: the pages name their icon, and /favicon.ico (which browsers ask for anyway)
// answers with an image instead of a 404.
func TestFavicon(t *testing.T) {
	srv := startServer(t)
	resp, err := http.Get(srv.URL + "/favicon.ico")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "image/") {
		t.Errorf("got %d %q for /favicon.ico, want 200 and an image", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// TestWidgetDisclosureAt360: on a 360 px phone the header's subtitle is shown whole (it
// wraps, it is not cut), a line before the first message says the first answers come from an
// automated assistant, and the tag's data-privacy-url adds a privacy-notice link, for http(s)
// addresses only.
func TestWidgetDisclosureAt360(t *testing.T) {
	var relais string
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		privacy := "https://boutique.example.fr/confidentialite"
		if strings.HasPrefix(r.URL.Path, "/mauvais") {
			privacy = "javascript:alert(1)"
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Boutique</title></head>
<body><h1>Une boutique</h1><script src="%s/widget.js" data-privacy-url="%s" defer></script></body></html>`, relais, privacy)
	}))
	defer shop.Close()
	srv := startServer(t, func(c *server.Config) { c.AllowedOrigins = []string{shop.URL} })
	relais = srv.URL

	ctx, dialogs := newTab(t)
	do(t, ctx, "emulate a 360×740 phone", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	openWidget(t, ctx, shop.URL)
	screenshot(t, ctx, "widget-disclosure-360")
	sub := eval[map[string]any](t, ctx, `(() => { const r = `+shadow+`, s = r.querySelector(".subtitle"), b = s.getBoundingClientRect(), c = r.querySelector(".icon-btn").getBoundingClientRect();
		return {text: s.textContent, cut: s.scrollWidth > s.clientWidth + 0.5 || s.scrollHeight > s.clientHeight + 0.5, right: b.right, close: c.left}; })()`)
	if sub["cut"] == true || sub["right"].(float64) > sub["close"].(float64) {
		t.Errorf("the subtitle %q is cut at 360 px: %v", sub["text"], sub)
	}
	const disclosure = "Vous échangez avec un assistant automatique. Un conseiller peut prendre le relais."
	waitUntil(t, ctx, "the disclosure before the first message", `(() => { const d = r.querySelector(".disclosure"), m = r.querySelector(".log .msg");
		return d && d.textContent.includes(`+quote(disclosure)+`) && d.getBoundingClientRect().height > 0 && (d.compareDocumentPosition(m) & Node.DOCUMENT_POSITION_FOLLOWING); })()`)
	link := eval[map[string]string](t, ctx, `(() => { const a = `+shadow+`.querySelector(".disclosure a"); return a ? {href: a.href, text: a.textContent, target: a.target, rel: a.rel} : {}; })()`)
	if link["href"] != "https://boutique.example.fr/confidentialite" || link["text"] != "Données personnelles" || link["target"] != "_blank" || !strings.Contains(link["rel"], "noopener") {
		t.Errorf("privacy link: got %v, want « Données personnelles » to the configured address, in a new tab", link)
	}

	other, _ := newTab(t)
	openWidget(t, other, shop.URL+"/mauvais")
	waitUntil(t, other, "the disclosure", `r.querySelector(".disclosure")`)
	if n := eval[int](t, other, shadow+`.querySelectorAll(".disclosure a, a[href^='javascript']").length`); n != 0 {
		t.Errorf("data-privacy-url=javascript:… gave %d links, want none (http and https only)", n)
	}
	noDialogs(t, map[string]*dialogLog{"widget": dialogs})
}
