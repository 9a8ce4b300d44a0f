package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/relais/relais/handoff"
	"github.com/relais/relais/server"
	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

// deskServer is the real server with the agent side (router, accounts, desk records), as
// `relais serve` runs it, with the identity secret of the tests.
type deskServer struct {
	URL      string
	accounts *handoff.Accounts
	st       *store.Store
}

// longOffers gives agents a minute to accept an offer, for tests that accept it themselves: on
// a loaded machine the default 15 s may pass before the page's click.
func longOffers(c *server.Config) { c.OfferTimeout = time.Minute }

// startDeskServer runs it until the test ends; configure changes the configuration.
func startDeskServer(t *testing.T, configure ...func(*server.Config)) *deskServer {
	t.Helper()
	needBrowser(t)
	cfg := server.DefaultConfig()
	cfg.IdentitySecret = string(identitySecret)
	for _, f := range configure {
		f(&cfg)
	}
	st := storetest.Open(t)
	srv := serve(t, cfg, st)
	return &deskServer{URL: srv.URL, accounts: srv.accounts, st: st}
}

// waitPage waits until a JavaScript condition on the whole page holds.
func waitPage(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	expr := `(() => { try { return !!(` + cond + `); } catch (e) { return false; } })()`
	if err := poll(ctx, expr); err != nil {
		t.Fatalf("waiting until %s: %v\ndesk log:\n%s", what, err, eval[string](t, ctx, `document.body.innerText`))
	}
}

// TestCustomerReachesAnAgent: a customer asks for an agent in
// the widget; an agent signed in to the desk sees the offer with its countdown, accepts, and
// both exchange messages.
func TestCustomerReachesAnAgent(t *testing.T) {
	srv := startDeskServer(t)
	const password = "mot-de-passe-du-test"
	agent, err := srv.accounts.Add(context.Background(), handoff.NewAgent{Login: "camille", Name: "Camille", Password: password})
	if err != nil {
		t.Fatal(err)
	}

	desk, deskDialogs := newTab(t)
	do(t, desk, "open the desk", chromedp.Navigate(srv.URL+"/desk"))
	waitPage(t, desk, "the login form is shown", `!document.getElementById("login").hidden`)
	do(t, desk, "sign in",
		chromedp.SendKeys(chromedp.ID("login-id"), "camille"),
		chromedp.SendKeys(chromedp.ID("login-pw"), password),
		chromedp.Click(chromedp.CSS("#login button[type=submit]")))
	waitPage(t, desk, "the desk is shown", `!document.getElementById("desk").hidden && document.getElementById("state-label").textContent === "Non prêt"`)
	do(t, desk, "become Prêt", chromedp.Click(chromedp.ID("ready")))
	waitPage(t, desk, "the agent is Prêt", `document.getElementById("state-label").textContent === "Prêt"`)

	customer, customerDialogs := newTab(t)
	openWidget(t, customer, srv.URL)
	say(t, customer, "je veux parler à un conseiller")
	waitUntil(t, customer, "the customer is told a human is coming", `r.querySelector(".log .msg-system, .log .notice")`)

	waitPage(t, desk, "the offer is shown", `!document.getElementById("offer-box").hidden`)
	first := eval[string](t, desk, `document.getElementById("offer-countdown").textContent`)
	if first != "15" && first != "14" {
		t.Errorf("countdown at the offer: got %q s, want 15 or 14", first)
	}
	waitPage(t, desk, "the countdown runs", `Number(document.getElementById("offer-countdown").textContent) < `+first)
	screenshot(t, desk, "desk-offer")
	do(t, desk, "accept", chromedp.Click(chromedp.ID("offer-accept")))
	waitPage(t, desk, "the transcript is shown, the bot's part included",
		`document.querySelector("#log .msg-bot") && Array.from(document.querySelectorAll("#log .msg-customer")).some(e => e.textContent.includes("conseiller"))`)
	waitUntil(t, customer, "the customer sees the agent join",
		`Array.from(r.querySelectorAll(".log .notice")).some(e => e.textContent.includes("`+agent.Name+` a rejoint la conversation"))`)

	do(t, desk, "answer", chromedp.SendKeys(chromedp.ID("reply-text"), "Bonjour, je suis Camille. Que puis-je faire pour vous ?"), enter)
	waitUntil(t, customer, "the agent's message reaches the customer",
		`Array.from(r.querySelectorAll(".log .msg-agent")).some(e => e.textContent.includes("Que puis-je faire"))`)
	say(t, customer, "Ma box ne se connecte plus depuis ce matin.")
	waitPage(t, desk, "the customer's message reaches the agent",
		`Array.from(document.querySelectorAll("#log .msg-customer")).some(e => e.textContent.includes("depuis ce matin"))`)
	screenshot(t, desk, "desk-conversation")
	screenshot(t, customer, "widget-with-agent")

	if ms := messages(t, customer); !contains(ms, "agent", "Que puis-je faire") {
		t.Errorf("customer's messages:\n%s", format(ms))
	}
	for name, d := range map[string]*dialogLog{"desk": deskDialogs, "widget": customerDialogs} {
		if got := d.opened(); len(got) > 0 {
			t.Errorf("%s opened dialogs: %v", name, got)
		}
	}
}
