package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/handoff"
	rec "github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/server"
	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

// deskInstance is a running server with the agent side.
type deskInstance struct {
	*instance
	router   *handoff.Router
	accounts *handoff.Accounts
	st       *store.Store
}

// startDesk runs a server with a Router and Accounts over st until the test ends.
func startDesk(t testing.TB, st *store.Store, cfg server.Config) *deskInstance {
	t.Helper()
	router := handoff.NewRouter(st, handoff.Options{OfferTimeout: cfg.OfferTimeout})
	accounts := handoff.NewAccounts(st, handoff.AccountOptions{Cost: 10})
	bot := &fakeBot{}
	in := serve(t, bot, server.Deps{Store: st, Bot: bot, Static: testStatic, Router: router, Accounts: accounts}, cfg)
	return &deskInstance{instance: in, router: router, accounts: accounts, st: st}
}

// twoAgents is the set-up of the tests of what only the agent holding a conversation may do:
// Alice, Prêt on her desk dk, took conversation c over; Bob is signed in and holds nothing.
type twoAgents struct {
	d      *deskInstance
	alice  handoff.Agent
	ca, cb *http.Cookie // Alice's and Bob's sessions
	dk     *desk
	c      created
}

func startTwoAgents(t testing.TB) twoAgents {
	t.Helper()
	d := startDesk(t, storetest.Open(t), testConfig())
	alice, bob := d.addAgent(t, "alice"), d.addAgent(t, "bob")
	h := twoAgents{d: d, alice: alice, ca: d.session(t, alice.ID), cb: d.session(t, bob.ID)}
	h.dk = d.openDesk(t, h.ca)
	h.dk.setReady(t)
	h.c = d.open(t)
	d.takeOver(t, h.dk, h.c)
	return h
}

const testPassword = "mot-de-passe-de-test"

// addAgent creates an agent named after login.
func (d *deskInstance) addAgent(t testing.TB, login string) handoff.Agent {
	t.Helper()
	a, err := d.accounts.Add(context.Background(), handoff.NewAgent{Login: login, Name: "Agent " + login, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// login signs login in and returns the session cookie.
func (d *deskInstance) login(t testing.TB, login string) *http.Cookie {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"login": login, "password": testPassword})
	resp, err := http.Post(d.url+"/api/v1/agent/login", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login %s: got %d, want 200", login, resp.StatusCode)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "relais_agent" {
			return c
		}
	}
	t.Fatalf("login %s: no session cookie", login)
	return nil
}

// deskMsg is an envelope of the agent websocket, as a desk reads it.
type deskMsg struct {
	Type         string        `json:"type"`
	State        string        `json:"state"`
	Task         *handoff.Task `json:"task"`
	ExpiresAt    time.Time     `json:"expires_at"`
	TaskID       string        `json:"task_id"`
	Conversation *struct {
		ID     string               `json:"id"`
		Events []conversation.Event `json:"events"`
	} `json:"conversation"`
	ConversationID string              `json:"conversation_id"`
	Event          *conversation.Event `json:"event"`
	Code           string              `json:"code"`
	Message        string              `json:"message"`
	For            string              `json:"for"`
	Tasks          []queuedTask        `json:"tasks"`
	Desk           *rec.Interaction    `json:"desk"`
}

// queuedTask is a task of the queue envelope.
type queuedTask struct {
	handoff.QueueEntry
	LastCustomerMessage string `json:"last_customer_message"`
}

// desk is an open agent websocket whose envelopes a reader goroutine collects.
type desk struct {
	ws   *websocket.Conn
	msgs chan deskMsg
	err  atomic.Value // the read error that ended the reader
}

// openDesk opens the agent websocket of the session cookie on d, asking for compression as
// a browser does (the server compresses what a desk is sent).
func (d *deskInstance) openDesk(t testing.TB, cookie *http.Cookie) *desk {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	h := http.Header{}
	h.Set("Cookie", cookie.Name+"="+cookie.Value)
	ws, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(d.url, "http")+"/api/v1/agent/ws",
		&websocket.DialOptions{HTTPHeader: h, CompressionMode: websocket.CompressionNoContextTakeover})
	if err != nil {
		t.Fatalf("agent dial: %v", err)
	}
	if ext := resp.Header.Get("Sec-WebSocket-Extensions"); !strings.HasPrefix(ext, "permessage-deflate") {
		t.Fatalf("desk socket extensions %q, want permessage-deflate", ext)
	}
	t.Cleanup(func() { ws.CloseNow() })
	dk := &desk{ws: ws, msgs: make(chan deskMsg, 4096)}
	go func() {
		defer close(dk.msgs)
		for {
			_, data, err := ws.Read(context.Background())
			if err != nil {
				dk.err.Store(err)
				return
			}
			var m deskMsg
			if json.Unmarshal(data, &m) == nil {
				dk.msgs <- m
			}
		}
	}()
	return dk
}

// send writes one command.
func (dk *desk) send(t testing.TB, cmd map[string]string) {
	t.Helper()
	data, _ := json.Marshal(cmd)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := dk.ws.Write(ctx, websocket.MessageText, data); err != nil {
		t.Fatalf("desk write: %v", err)
	}
}

// await reads envelopes until one satisfies ok, failing after 10 s.
func (dk *desk) await(t testing.TB, what string, ok func(deskMsg) bool) deskMsg {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case m, open := <-dk.msgs:
			if !open {
				t.Fatalf("waiting for %s: websocket closed: %v", what, dk.err.Load())
			}
			if ok(m) {
				return m
			}
		case <-timeout:
			t.Fatalf("waiting for %s: nothing after 10 s", what)
		}
	}
}

func isType(typ string) func(deskMsg) bool { return func(m deskMsg) bool { return m.Type == typ } }

// setReady switches the desk's agent to Prêt and waits for the confirmation.
func (dk *desk) setReady(t testing.TB) {
	t.Helper()
	dk.send(t, map[string]string{"type": "set_state", "state": "ready"})
	dk.await(t, "state ready", func(m deskMsg) bool { return m.Type == "state" && m.State == "ready" })
}

// awaitEvent reads customer websocket events until one satisfies ok.
func awaitEvent(t testing.TB, ws *websocket.Conn, what string, ok func(conversation.Event) bool) conversation.Event {
	t.Helper()
	for {
		ev := next(t, ws)
		if ok(ev) {
			return ev
		}
		if ev.Type == conversation.TypeClosed && !ok(ev) {
			t.Fatalf("waiting for %s: the conversation closed", what)
		}
	}
}

// count returns how many events of c have type typ.
func count(events []conversation.Event, typ string) int {
	n := 0
	for _, ev := range events {
		if ev.Type == typ {
			n++
		}
	}
	return n
}

// session opens a desk session for agentID without the login endpoint (whose attempts are
// limited per address: ten logins from 127.0.0.1 in a minute are refused).
func (d *deskInstance) session(t testing.TB, agentID string) *http.Cookie {
	t.Helper()
	token, err := d.accounts.CreateSession(context.Background(), agentID)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Cookie{Name: "relais_agent", Value: token}
}
