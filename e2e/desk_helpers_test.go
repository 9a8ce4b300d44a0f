package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/handoff/desk"
)

const agentPassword = "mot-de-passe-du-test"

// identitySecret signs the customer identities of the desk tests (RELAIS_IDENTITY_SECRET).
var identitySecret = []byte("secret-des-tests-du-bureau")

// addAgent creates an agent account.
func (s *deskServer) addAgent(t *testing.T, login, name string) handoff.Agent {
	t.Helper()
	a, err := s.accounts.Add(context.Background(), handoff.NewAgent{Login: login, Name: name, Password: agentPassword})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// session opens a desk session for an agent without the login form, for the test's own API
// calls (the page signs in through its form).
func (s *deskServer) session(t *testing.T, agentID string) string {
	t.Helper()
	token, err := s.accounts.CreateSession(context.Background(), agentID)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// call sends one HTTP request and decodes the JSON answer into out (when not nil).
func call(t *testing.T, method, url string, headers map[string]string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, url, resp.StatusCode, data, err)
		}
	}
	return resp.StatusCode
}

// records calls the desk records API as the agent of session token; version > 0 goes out as
// If-Match. It fails the test unless the status is want.
func records(t *testing.T, s *deskServer, token, method, path string, version int64, body, out any, want int) {
	t.Helper()
	h := map[string]string{"Cookie": "relais_agent=" + token}
	if version > 0 {
		h["If-Match"] = `"` + strconv.FormatInt(version, 10) + `"`
	}
	var raw json.RawMessage
	got := call(t, method, s.URL+"/api/v1/desk"+path, h, body, &raw)
	if got != want {
		t.Fatalf("%s %s: got %d (%s), want %d", method, path, got, raw, want)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// chat is a customer's conversation driven over HTTP, as the widget does it.
type chat struct {
	srv       *deskServer
	ID, Token string
}

// addCustomerMessages appends n messages of the customer to conversation id, text(i) the
// i-th from 1, beyond the store's cap: a long conversation made at once.
func (s *deskServer) addCustomerMessages(t *testing.T, id string, n int, text func(i int) string) {
	t.Helper()
	conv := conversation.NewStore(s.st, conversation.Options{MaxEvents: -1})
	for first := 1; first <= n; first += 100 {
		var batch []conversation.Event
		for i := first; i < first+100 && i <= n; i++ {
			batch = append(batch, conversation.Message(conversation.FromCustomer, text(i), nil))
		}
		if _, err := conv.Append(context.Background(), id, batch, conversation.AppendOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// startChat opens a conversation, with a signed identity when identity is not "".
func (s *deskServer) startChat(t *testing.T, identity string) *chat {
	t.Helper()
	body := map[string]string{}
	if identity != "" {
		body["identity"] = identity
	}
	var out struct{ ID, Token string }
	if got := call(t, "POST", s.URL+"/api/v1/conversations", nil, body, &out); got != http.StatusCreated {
		t.Fatalf("POST /api/v1/conversations: got %d, want 201", got)
	}
	return &chat{srv: s, ID: out.ID, Token: out.Token}
}

func (c *chat) auth() map[string]string {
	return map[string]string{"Authorization": "Bearer " + c.Token}
}

// say sends the customer's message.
func (c *chat) say(t *testing.T, text string) {
	t.Helper()
	if got := call(t, "POST", c.srv.URL+"/api/v1/conversations/"+c.ID+"/messages", c.auth(), map[string]string{"text": text}, nil); got != http.StatusOK {
		t.Fatalf("customer says %q: got %d, want 200", text, got)
	}
}

// askForAgent asks for a human, which queues a task for the desk.
func (c *chat) askForAgent(t *testing.T) { c.say(t, "je veux parler à un conseiller") }

// leave leaves a message for the desk while no agent is available.
func (c *chat) leave(t *testing.T, message string) {
	t.Helper()
	if got := call(t, "POST", c.srv.URL+"/api/v1/conversations/"+c.ID+"/leave", c.auth(), map[string]string{"message": message, "contact": "client@example.fr"}, nil); got/100 != 2 {
		t.Fatalf("customer leaves a message: got %d, want 2xx", got)
	}
}

// chatEvent is one event of the customer's transcript.
type chatEvent struct {
	Type string `json:"type"`
	From string `json:"from"`
	Text string `json:"text"`
}

// sawAgentSay reports whether the customer's transcript has an agent message containing text.
func (c *chat) sawAgentSay(t *testing.T, text string) bool {
	t.Helper()
	var out struct{ Events []chatEvent }
	call(t, "GET", c.srv.URL+"/api/v1/conversations/"+c.ID+"/events?after=0", c.auth(), nil, &out)
	for _, ev := range out.Events {
		if ev.Type == "message" && ev.From == "agent" && strings.Contains(ev.Text, text) {
			return true
		}
	}
	return false
}

// signedIdentity is what a company's site passes to the widget for a known customer.
func signedIdentity(sub, name, email string) string {
	return desk.SignIdentity(identitySecret, desk.Identity{Sub: sub, Name: name, Email: email, Exp: time.Now().Add(time.Hour).Unix()})
}

// signIn opens the desk in tab and signs in through the login form.
func signIn(t *testing.T, tab context.Context, s *deskServer, login string) {
	t.Helper()
	do(t, tab, "open the desk", chromedp.Navigate(s.URL+"/desk"))
	waitPage(t, tab, "the login form is shown", `!document.getElementById("login").hidden`)
	do(t, tab, "sign in as "+login,
		chromedp.SendKeys(chromedp.ID("login-id"), login),
		chromedp.SendKeys(chromedp.ID("login-pw"), agentPassword),
		chromedp.Click(chromedp.CSS("#login button[type=submit]")))
	waitPage(t, tab, "the desk is shown", `!document.getElementById("desk").hidden && document.getElementById("state-label").textContent !== ""`)
}

// text is the textContent of the element with that id.
func text(t *testing.T, tab context.Context, id string) string {
	t.Helper()
	return eval[string](t, tab, `(document.getElementById(`+quote(id)+`) || {}).textContent || ""`)
}

// setValue puts a value in a field as if typed at once (a paste), and tells the page.
func setValue(id, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`(() => { const e = document.getElementById(`+quote(id)+`); e.focus(); e.value = `+quote(value)+`; e.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`)(ctx, tg)
		return err
	})
}

// press sends one key to the focused element, as a keyboard does (kb.Tab, kb.Enter, kb.Escape).
func press(key string) chromedp.Action[chromedp.Void] { return chromedp.KeyEvent(key) }

// tabTo presses Tab from the top of the page until the element with id has the focus, as a
// keyboard-only agent does; it fails after max presses.
func tabTo(t *testing.T, tab context.Context, id string, max int) int {
	t.Helper()
	eval[bool](t, tab, `(() => { document.activeElement && document.activeElement.blur(); window.getSelection().removeAllRanges(); return true; })()`)
	for n := 1; n <= max; n++ {
		do(t, tab, "press Tab", press(kb.Tab))
		if eval[string](t, tab, `document.activeElement ? document.activeElement.id : ""`) == id {
			return n
		}
	}
	t.Fatalf("Tab never reached #%s in %d presses (focus on %q)", id, max, eval[string](t, tab, `document.activeElement ? document.activeElement.outerHTML.slice(0, 120) : ""`))
	return 0
}

// noDialogs fails the test if a page opened a JavaScript dialog (alert, confirm…).
func noDialogs(t *testing.T, logs map[string]*dialogLog) {
	t.Helper()
	for name, d := range logs {
		if got := d.opened(); len(got) > 0 {
			t.Errorf("%s opened JavaScript dialogs: %v", name, got)
		}
	}
}

// Record shapes, as the page and the test read them (docs/desk.md).
type (
	customerRec struct {
		ID, Name, Email, Phone, Notes string
		Version                       int64
	}
	requestRec struct {
		ID, Title, Description, Status string
		CustomerID                     string `json:"customer_id"`
		Version                        int64
	}
	activityRec struct {
		ID, Kind  string
		RequestID string `json:"request_id"`
		Tags      []string
		Version   int64
	}
	journeyRec struct {
		Customer customerRec
		Requests []struct {
			requestRec
			Activities []activityRec
		}
	}
)

// customerByEmail finds a customer through the search API.
func customerByEmail(t *testing.T, s *deskServer, token, email string) customerRec {
	t.Helper()
	var out struct{ Customers []customerRec }
	records(t, s, token, "GET", "/customers?email="+email, 0, nil, &out, http.StatusOK)
	if len(out.Customers) != 1 {
		t.Fatalf("customers with e-mail %s: got %d, want 1", email, len(out.Customers))
	}
	return out.Customers[0]
}
