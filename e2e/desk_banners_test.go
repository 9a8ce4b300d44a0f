package e2e_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/relais/relais/server"
)

// TestDeskBannersGoWithTheirFact: « Offre expirée » goes as soon as the agent is Prêt again
// (not 8 s later), « Conversation acceptée » and the rest of the session's messages are not
// on the login form after Se déconnecter, and the reply counter counts what the server
// counts: the text trimmed as Go trims it, in runes (an emoji with its skin tone is 2, not 4).
func TestDeskBannersGoWithTheirFact(t *testing.T) {
	srv := startDeskServer(t, func(c *server.Config) { c.OfferTimeout = 3 * time.Second })
	srv.addAgent(t, "camille", "Camille")
	tab, dialogs := newTab(t)
	signIn(t, tab, srv, "camille")
	baseTitle := eval[string](t, tab, `document.title`)
	do(t, tab, "Prêt", chromedp.Click(chromedp.ID("ready")))
	waitPage(t, tab, "the agent is Prêt", `document.getElementById("state-label").textContent === "Prêt"`)

	srv.startChat(t, "").askForAgent(t)
	waitPage(t, tab, "the offer", `!document.getElementById("offer-box").hidden`)
	waitPage(t, tab, "the offer expired", `document.getElementById("desk-error").textContent.includes("Offre expirée") && document.getElementById("state-label").textContent === "Non prêt"`)
	screenshot(t, tab, "banners-01-offer-expired")
	do(t, tab, "Prêt again", chromedp.Click(chromedp.ID("ready")))
	waitPage(t, tab, "the agent is Prêt", `document.getElementById("state-label").textContent === "Prêt"`)
	time.Sleep(300 * time.Millisecond)
	if got := text(t, tab, "desk-error"); got != "" {
		t.Errorf("Prêt again, the desk still says %q", got)
	}

	srv.startChat(t, "").askForAgent(t)
	waitPage(t, tab, "the second offer", `!document.getElementById("offer-box").hidden`)
	do(t, tab, "Accepter", chromedp.Click(chromedp.ID("offer-accept")))
	waitPage(t, tab, "accepted", `document.getElementById("announcer").textContent.startsWith("Conversation acceptée")`)

	// 2 spaces, 👍🏽 (2 runes, 4 UTF-16 units), « Merci ! », a space and a line break: the
	// server trims and counts 10.
	do(t, tab, "type a reply", setValue("reply-text", "  👍🏽 Merci ! \n"))
	if got := text(t, tab, "reply-count"); !strings.HasPrefix(got, "10 /") {
		t.Errorf("reply counter: got %q, want 10 (the server trims, then counts runes)", got)
	}
	do(t, tab, "clear the reply", setValue("reply-text", ""))

	do(t, tab, "Se déconnecter", chromedp.Click(chromedp.ID("logout")))
	waitPage(t, tab, "the login form", `!document.getElementById("login").hidden && document.getElementById("desk").hidden`)
	screenshot(t, tab, "banners-02-login-after-logout")
	page := eval[string](t, tab, `document.body.textContent`)
	for _, stale := range []string{"Conversation acceptée", "Offre expirée", "Nouvelle tâche :"} {
		if strings.Contains(page, stale) {
			t.Errorf("after Se déconnecter, the page still holds %q", stale)
		}
	}
	if got := eval[string](t, tab, `document.title`); got != baseTitle {
		t.Errorf("title after Se déconnecter: got %q, want %q", got, baseTitle)
	}
	if n := eval[int](t, tab, `document.querySelectorAll("#current-list li, #queue li").length`); n != 0 {
		t.Errorf("after Se déconnecter, %d conversations or tasks of the session are still listed", n)
	}

	do(t, tab, "sign in again", setValue("login-id", "camille"), setValue("login-pw", agentPassword),
		chromedp.Click(chromedp.CSS("#login button[type=submit]")))
	waitPage(t, tab, "the desk again", `!document.getElementById("desk").hidden && document.getElementById("state-label").textContent !== ""`)
	waitPage(t, tab, "the queue as the server has it", `Number(document.getElementById("queue-length").textContent) >= 1`)
	noDialogs(t, map[string]*dialogLog{"desk": dialogs})
}

// TestWidgetCounterCountsAsTheServer: 2,000 emoji (4,000 UTF-16 units) with spaces around
// them are 2,000 characters for the server, which accepts them: the counter says so.
func TestWidgetCounterCountsAsTheServer(t *testing.T) {
	srv := startServer(t)
	ctx, _ := newTab(t)
	openWidget(t, ctx, srv.URL)
	long := "  " + strings.Repeat("😀", 2000) + " \n"
	eval[bool](t, ctx, `(() => { const ta = `+shadow+`.querySelector("textarea"); ta.value = `+quote(long)+`; ta.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`)
	if got := eval[string](t, ctx, shadow+`.querySelector(".counter").textContent`); got != "2000 / 2000" {
		t.Errorf("counter: got %q, want « 2000 / 2000 »", got)
	}
	if eval[bool](t, ctx, shadow+`.querySelector(".counter").classList.contains("over")`) {
		t.Errorf("the counter says over the limit for a message the server accepts")
	}
	do(t, ctx, "send", chromedp.Focus(in("textarea")), enter)
	waitUntil(t, ctx, "the message is stored", `Array.from(r.querySelectorAll(".log .msg-customer")).some(e => e.dataset.seq && !e.classList.contains("pending") && !e.classList.contains("failed"))`)
	if a := eval[string](t, ctx, shadow+`.querySelector(".alert").hidden ? "" : `+shadow+`.querySelector(".alert").textContent`); a != "" {
		t.Errorf("alert after sending: %q", a)
	}
}
