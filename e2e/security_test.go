package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/relais/relais/handoff"
	"github.com/relais/relais/server"
	"github.com/relais/relais/static"
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
	srv := serve(t, cfg, server.Deps{Store: st, Bot: newBot(t, st), Logger: testLogger(t), Static: static.FS,
		Router: handoff.NewRouter(st, handoff.Options{}), Accounts: handoff.NewAccounts(st, handoff.AccountOptions{Cost: 10})})
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
