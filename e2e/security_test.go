package e2e_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/relais/relais/server"
	"github.com/relais/relais/store/storetest"
)

// recordCSPViolations makes every page of the tab note the Content Security Policy
// violations it meets, from its first script on, in window.cspViolations.
func recordCSPViolations(t *testing.T, ctx context.Context) {
	t.Helper()
	_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.cspViolations.push(e.violatedDirective + " " + e.blockedURI));`,
	})
	if err != nil {
		t.Fatalf("record CSP violations: %v", err)
	}
}

// checkCSP fails when the page met a violation, or was served without a CSP.
func checkCSP(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	if got := eval[[]string](t, ctx, `window.cspViolations`); len(got) > 0 {
		t.Errorf("CSP violations: %v", got)
	}
	tctx, cancel := context.WithTimeout(ctx, waitFor)
	defer cancel()
	csp, err := chromedp.Run(tctx, chromedp.Evaluate[string](`fetch(location.href).then(r => r.headers.get("content-security-policy") || "")`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("read the page's CSP: %v", err)
	}
	if !strings.Contains(csp, want) {
		t.Errorf("Content-Security-Policy: got %q, want it to contain %q", csp, want)
	}
}

// TestPagesWorkUnderTheirCSP: the demo page with the widget, and the desk signed in with its
// websocket, work under their strict CSP without a single violation.
func TestPagesWorkUnderTheirCSP(t *testing.T) {
	srv := startDeskServer(t)
	srv.addAgent(t, "camille", "Camille")

	customer, _ := newTab(t)
	recordCSPViolations(t, customer)
	openWidget(t, customer, srv.URL)
	say(t, customer, "bonjour")
	waitUntil(t, customer, "the bot answers", botCount+` >= 2`)
	if font := eval[string](t, customer, `getComputedStyle(document.body).fontFamily`); !strings.Contains(font, "Georgia") {
		t.Errorf("demo page font: got %q, want its stylesheet's Georgia", font)
	}
	checkCSP(t, customer, "default-src 'self'")

	desk, _ := newTab(t)
	recordCSPViolations(t, desk)
	do(t, desk, "open the desk", chromedp.Navigate(srv.URL+"/desk"))
	waitPage(t, desk, "the login form is shown", `!document.getElementById("login").hidden`)
	do(t, desk, "sign in",
		chromedp.SendKeys(chromedp.ID("login-id"), "camille"),
		chromedp.SendKeys(chromedp.ID("login-pw"), agentPassword),
		chromedp.Click(chromedp.CSS("#login button[type=submit]")))
	waitPage(t, desk, "the desk is shown", `!document.getElementById("desk").hidden && document.getElementById("state-label").textContent === "Non prêt"`)
	do(t, desk, "become Prêt", chromedp.Click(chromedp.ID("ready")))
	waitPage(t, desk, "the agent is Prêt (through the websocket)", `document.getElementById("state-label").textContent === "Prêt"`)
	checkCSP(t, desk, "frame-ancestors 'none'")
}

// TestWidgetOffersANewConversationWhenGone: when the conversation vanishes from the store
// (expired), the server closes the widget's websocket with 4404 and the widget says so and
// offers a new conversation, which starts.
func TestWidgetOffersANewConversationWhenGone(t *testing.T) {
	needBrowser(t)
	cfg := server.DefaultConfig()
	cfg.SafetyPoll = 200 * time.Millisecond // the socket checks at each safety poll
	st := storetest.Open(t)
	srv := serve(t, cfg, st)
	ctx, _ := newTab(t)
	openWidget(t, ctx, srv.URL)
	waitUntil(t, ctx, "the websocket is open", `r.querySelector(".banner").hidden`)
	id := eval[string](t, ctx, `JSON.parse(Object.entries(localStorage).find(([k]) => k.startsWith("relais:"))[1]).id`)
	keys, err := st.Client.Keys(context.Background(), "*"+id+"*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("keys of conversation %s: got %v %v", id, keys, err)
	}
	if err := st.Client.Del(context.Background(), keys...).Err(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "the widget says the conversation is gone and offers a new one",
		`r.textContent.includes("n'est plus disponible") && r.querySelector(".restart-btn")`)
	do(t, ctx, "start a new conversation", chromedp.Click(in(".restart-btn")))
	waitUntil(t, ctx, "a new conversation starts", `r.querySelector(".log .msg-bot") && !r.textContent.includes("n'est plus disponible")`)
	second := eval[string](t, ctx, `JSON.parse(Object.entries(localStorage).find(([k]) => k.startsWith("relais:"))[1]).id`)
	if second == id || second == "" {
		t.Errorf("after the restart: conversation %q, want a new one (was %q)", second, id)
	}
}

// TestWidgetNoticesALostConversationQuickly: the conversation vanishes from the store while
// the customer's connection drops; the widget reconnects, is refused, and says within 5 s, in
// one banner (no « Reconnexion… » beside it), that the conversation is gone, with « Nouvelle
// conversation ». After a reload with a conversation gone, the new one starts by saying that
// the previous one is no longer available.
func TestWidgetNoticesALostConversationQuickly(t *testing.T) {
	needBrowser(t)
	cfg := server.DefaultConfig() // the sockets' own check is every 30 s: the widget must not wait for it
	st := storetest.Open(t)
	srv := serve(t, cfg, st)
	ctx, _ := newTab(t)
	openWidget(t, ctx, srv.URL)
	waitUntil(t, ctx, "the websocket is open", `r.querySelector(".banner").hidden && !r.querySelector(".log > .msg:not([data-seq])")`)
	const storedID = `JSON.parse(Object.entries(localStorage).find(([k]) => k.startsWith("relais:"))[1]).id`
	deleteConversation := func() {
		id := eval[string](t, ctx, storedID)
		keys, err := st.Client.Keys(context.Background(), "*"+id+"*").Result()
		if err != nil || len(keys) == 0 {
			t.Fatalf("keys of conversation %s: got %v %v", id, keys, err)
		}
		if err := st.Client.Del(context.Background(), keys...).Err(); err != nil {
			t.Fatal(err)
		}
	}
	deleteConversation()
	lost := time.Now()
	srv.dropConnections()
	waitUntil(t, ctx, "the widget says the conversation is gone", `!r.querySelector(".alert").hidden && r.querySelector(".alert").textContent.includes("n'est plus disponible")`)
	if took := time.Since(lost); took > 5*time.Second {
		t.Errorf("the lost conversation was noticed after %v, want 5 s at most", took.Round(100*time.Millisecond))
	}
	time.Sleep(2 * time.Second) // nothing else comes up meanwhile (a reconnection attempt, a banner)
	screenshot(t, ctx, "widget-conversation-lost")
	shown := eval[[]string](t, ctx, `Array.from(`+shadow+`.querySelectorAll(".alert, .banner")).filter(e => !e.hidden).map(e => e.textContent)`)
	if len(shown) != 1 {
		t.Errorf("banners shown: %q, want the one that says the conversation is gone", shown)
	}
	if !eval[bool](t, ctx, shadow+`.querySelector(".restart-btn") && !`+shadow+`.querySelector(".restart").hidden && `+shadow+`.querySelector(".composer").hidden`) {
		t.Errorf("no « Nouvelle conversation » in place of the input")
	}
	do(t, ctx, "start a new conversation", chromedp.Click(in(".restart-btn")))
	waitUntil(t, ctx, "a new conversation", `r.querySelector(".log .msg-bot") && r.querySelector(".alert").hidden && !r.querySelector(".composer").hidden`)

	deleteConversation()
	do(t, ctx, "reload", chromedp.Reload())
	waitUntil(t, ctx, "the new conversation says the previous one is gone", `r.querySelector(".log .notice.gone") && r.querySelector(".log .msg-bot")`)
	if got := eval[string](t, ctx, shadow+`.querySelector(".log > *").textContent`); !strings.Contains(got, "conversation précédente n'est plus disponible") {
		t.Errorf("first entry after the reload: %q, want the notice that the previous conversation is gone", got)
	}
	screenshot(t, ctx, "widget-previous-conversation-gone")
}

// TestWidgetOffersANewConversationWhenFull: a conversation that reaches its cap of events
// (RELAIS_CONVERSATION_MAX_EVENTS, 24 here) ends: the widget shows the server's French reason,
// puts « Nouvelle conversation » in place of the input, and a new conversation starts from it.
func TestWidgetOffersANewConversationWhenFull(t *testing.T) {
	needBrowser(t)
	cfg := server.DefaultConfig()
	cfg.MaxEvents = 24
	srv := serve(t, cfg, storetest.Open(t))
	ctx, _ := newTab(t)
	openWidget(t, ctx, srv.URL)
	const full = `r.textContent.includes("atteint sa taille maximale")`
	for i := 0; i < 20 && !eval[bool](t, ctx, `(() => { const r = `+shadow+`; return `+full+`; })()`); i++ {
		bots := eval[int](t, ctx, shadow+`.querySelectorAll(".log .msg-bot").length`)
		say(t, ctx, "bonjour")
		waitUntil(t, ctx, "the bot answers, or the conversation is full", botCount+` > `+strconv.Itoa(bots)+` || `+full)
	}
	waitUntil(t, ctx, "the reason and « Nouvelle conversation » in place of the input",
		full+` && r.querySelector(".restart-btn") && !r.querySelector(".restart").hidden && r.querySelector(".composer").hidden`)
	screenshot(t, ctx, "widget-conversation-full")
	first := eval[string](t, ctx, `JSON.parse(Object.entries(localStorage).find(([k]) => k.startsWith("relais:"))[1]).id`)
	do(t, ctx, "start a new conversation", chromedp.Click(in(".restart-btn")))
	waitUntil(t, ctx, "a new conversation starts", `r.querySelector(".log .msg-bot") && !`+full+` && !r.querySelector(".composer").hidden`)
	if second := eval[string](t, ctx, `JSON.parse(Object.entries(localStorage).find(([k]) => k.startsWith("relais:"))[1]).id`); second == first || second == "" {
		t.Errorf("after the restart: conversation %q, want a new one (was %q)", second, first)
	}
}
