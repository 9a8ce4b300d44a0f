package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/store/storetest"
)

func TestCreateConversationWelcomes(t *testing.T) {
	in := startOne(t, testConfig())
	c := in.open(t)
	if c.ID == "" || len(c.Token) < 40 {
		t.Fatalf("got id %q token %q, want both", c.ID, c.Token)
	}
	if len(c.Events) != 1 || c.Events[0].Seq != 1 || c.Events[0].From != conversation.FromBot || c.Events[0].Text == "" {
		t.Fatalf("got events %+v, want the welcome at seq 1", c.Events)
	}
	if c.Events[0].QuickReplies[0] != "Suivre ma commande" || c.Events[0].At.IsZero() {
		t.Fatalf("welcome: got %+v, want quick replies and a time", c.Events[0])
	}
}

func TestPostMessage(t *testing.T) {
	in := startOne(t, testConfig())
	c := in.open(t)
	other := in.open(t)
	url := in.url + "/api/v1/conversations/" + c.ID + "/messages"
	tests := []struct {
		name, url, token, body string
		status                 int
		code                   string
	}{
		{name: "answered", url: url, token: c.Token, body: `{"text":"bonjour"}`, status: 200},
		{name: "2,000 characters", url: url, token: c.Token, body: `{"text":"` + strings.Repeat("é", 2000) + `"}`, status: 200},
		{name: "2,001 characters", url: url, token: c.Token, body: `{"text":"` + strings.Repeat("é", 2001) + `"}`, status: 400, code: "invalid"},
		{name: "empty", url: url, token: c.Token, body: `{"text":""}`, status: 400, code: "invalid"},
		{name: "blank", url: url, token: c.Token, body: `{"text":"  \n "}`, status: 400, code: "invalid"},
		{name: "no text field", url: url, token: c.Token, body: `{}`, status: 400, code: "invalid"},
		{name: "bad JSON", url: url, token: c.Token, body: `{"text":`, status: 400, code: "invalid"},
		{name: "no body", url: url, token: c.Token, body: ``, status: 400, code: "invalid"},
		{name: "huge body", url: url, token: c.Token, body: `{"text":"` + strings.Repeat("a", 100_000) + `"}`, status: 400, code: "invalid"},
		{name: "no token", url: url, token: "", body: `{"text":"x"}`, status: 401, code: "unauthorized"},
		{name: "another conversation's token", url: url, token: other.Token, body: `{"text":"x"}`, status: 403, code: "forbidden"},
		{name: "unknown conversation", url: in.url + "/api/v1/conversations/AAAAAAAAAAAAAAAAAAAAAA/messages", token: c.Token, body: `{"text":"x"}`, status: 404, code: "not_found"},
		{name: "malformed id", url: in.url + "/api/v1/conversations/x%7By%7D/messages", token: c.Token, body: `{"text":"x"}`, status: 404, code: "not_found"},
		{name: "idempotency key too long", url: url, token: c.Token, body: `{"text":"x","client_id":"` + strings.Repeat("k", 129) + `"}`, status: 400, code: "invalid"},
		{name: "bot failure", url: url, token: c.Token, body: `{"text":"panne"}`, status: 503, code: "unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := call(t, "POST", tt.url, tt.token, tt.body)
			if status != tt.status {
				t.Fatalf("got %d %s, want %d", status, body, tt.status)
			}
			if tt.code == "" {
				a := decode[answer](t, body)
				if len(a.Events) != 1 || !strings.HasPrefix(a.Events[0].Text, "écho : ") || a.Message.From != "customer" {
					t.Fatalf("got %s, want the customer message and one echo", body)
				}
				return
			}
			e := decode[errorBody](t, body)
			if e.Error.Code != tt.code || e.Error.Message == "" {
				t.Fatalf("got error %+v, want code %s with a message", e.Error, tt.code)
			}
		})
	}
}

func TestEveryEndpointRefusesAnotherConversationsToken(t *testing.T) {
	in := startOne(t, testConfig())
	mine, theirs := in.open(t), in.open(t)
	in.say(t, theirs, "secret")
	base := in.url + "/api/v1/conversations/" + theirs.ID
	tests := []struct {
		name, method, url, body string
	}{
		{name: "messages", method: "POST", url: base + "/messages", body: `{"text":"x"}`},
		{name: "events", method: "GET", url: base + "/events?after=0"},
		{name: "websocket by header", method: "GET", url: base + "/ws?after=0"},
		{name: "websocket by query", method: "GET", url: base + "/ws?after=0&token=" + mine.Token},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := call(t, tt.method, tt.url, mine.Token, tt.body,
				"Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
			if status != http.StatusForbidden {
				t.Fatalf("got %d %s, want 403", status, body)
			}
			if strings.Contains(string(body), "secret") {
				t.Fatalf("the answer leaks the other conversation: %s", body)
			}
		})
	}
	if got := len(in.events(t, theirs, "0")); got != 3 {
		t.Fatalf("their conversation: got %d events, want 3 (nothing added)", got)
	}
}

func TestRetryWithSameKeyStoresOnce(t *testing.T) {
	tests := []struct {
		name string
		body func(text string) string
		hdr  []string
	}{
		{name: "Idempotency-Key header", body: func(s string) string { return `{"text":"` + s + `"}` }, hdr: []string{"Idempotency-Key", "k-42"}},
		{name: "client_id field", body: func(s string) string { return `{"text":"` + s + `","client_id":"k-42"}` }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := startOne(t, testConfig())
			c := in.open(t)
			url := in.url + "/api/v1/conversations/" + c.ID + "/messages"
			_, _, first := call(t, "POST", url, c.Token, tt.body("bonjour"), tt.hdr...)
			_, _, second := call(t, "POST", url, c.Token, tt.body("bonjour"), tt.hdr...)
			if string(first) != string(second) {
				t.Fatalf("retry: got %s, want the first answer %s", second, first)
			}
			if got := len(in.events(t, c, "0")); got != 3 {
				t.Fatalf("got %d events, want 3 (welcome, message, answer)", got)
			}
			if got := in.bot.handled.Load(); got != 1 {
				t.Fatalf("bot called %d times, want 1", got)
			}
			in.say(t, c, "autre chose", "Idempotency-Key", "k-43")
			if got := len(in.events(t, c, "0")); got != 5 {
				t.Fatalf("a new key: got %d events, want 5", got)
			}
		})
	}
}

// TestKeyReusedWithAnotherText: an Idempotency-Key sent again with another text is refused
// with 422; the first text still replays. (A key whose first message the bot failed to
// answer stored nothing: it is still free, see TestBotFailureStoresNothing.)
func TestKeyReusedWithAnotherText(t *testing.T) {
	tests := []struct {
		name, first string
		firstStatus int
		agent       bool // an agent holds the conversation: the message is stored without a bot turn
	}{
		{name: "answered", first: "bonjour", firstStatus: http.StatusOK},
		{name: "held by an agent", first: "mon colis 48213 est abîmé", firstStatus: http.StatusOK, agent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := startDesk(t, storetest.Open(t), testConfig())
			in := d.instance
			c := in.open(t)
			if tt.agent {
				dk := d.openDesk(t, d.session(t, d.addAgent(t, "alice").ID))
				dk.setReady(t)
				d.takeOver(t, dk, c)
			}
			url := in.url + "/api/v1/conversations/" + c.ID + "/messages"
			if status, _, body := call(t, "POST", url, c.Token, `{"text":"`+tt.first+`"}`, "Idempotency-Key", "k-1"); status != tt.firstStatus {
				t.Fatalf("first: got %d %s, want %d", status, body, tt.firstStatus)
			}
			status, _, body := call(t, "POST", url, c.Token, `{"text":"autre chose"}`, "Idempotency-Key", "k-1")
			if status != http.StatusUnprocessableEntity {
				t.Fatalf("another text: got %d %s, want 422", status, body)
			}
			if e := decode[errorBody](t, body); e.Error.Code != "idempotency_key_reused" || !strings.Contains(e.Error.Message, "clé d'idempotence") {
				t.Errorf("got %s, want idempotency_key_reused with a French message", body)
			}
			if status, _, body := call(t, "POST", url, c.Token, `{"text":"`+tt.first+`"}`, "Idempotency-Key", "k-1"); status != tt.firstStatus {
				t.Fatalf("first text again: got %d %s, want %d", status, body, tt.firstStatus)
			}
			for _, ev := range in.events(t, c, "0") {
				if ev.Text == "autre chose" {
					t.Errorf("the refused text was stored: %+v", ev)
				}
			}
		})
	}
}

// TestBotFailureStoresNothing: a message the bot fails to answer gets 503 and is not stored
// (the widget keeps it, marked not sent, with a retry); the retry with its key asks the bot
// again.
func TestBotFailureStoresNothing(t *testing.T) {
	in := startOne(t, testConfig())
	c := in.open(t)
	url := in.url + "/api/v1/conversations/" + c.ID + "/messages"
	status, _, _ := call(t, "POST", url, c.Token, `{"text":"panne"}`, "Idempotency-Key", "p1")
	if status != http.StatusServiceUnavailable {
		t.Fatalf("got %d, want 503", status)
	}
	status, _, _ = call(t, "POST", url, c.Token, `{"text":"panne"}`, "Idempotency-Key", "p1")
	if status != http.StatusServiceUnavailable {
		t.Fatalf("retry: got %d, want 503 (the bot still fails, the retry asked it again)", status)
	}
	if got := in.bot.handled.Load(); got != 2 {
		t.Fatalf("bot called %d times, want 2", got)
	}
	if evs := in.events(t, c, "1"); len(evs) != 0 {
		t.Fatalf("got %+v, want nothing stored", evs)
	}
}

func TestEventsAfter(t *testing.T) {
	in := startOne(t, testConfig())
	c := in.open(t)
	for _, text := range []string{"un", "deux", "trois"} {
		in.say(t, c, text)
	}
	tests := []struct {
		name, after string
		first       int64
		n           int
	}{
		{name: "all", after: "0", first: 1, n: 7},
		{name: "after the welcome", after: "1", first: 2, n: 6},
		{name: "after the last", after: "7", n: 0},
		{name: "beyond", after: "100", first: 0, n: 8}, // a reset (seq 0), then the transcript
		{name: "absent", after: "", first: 1, n: 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs := in.events(t, c, tt.after)
			if len(evs) != tt.n || tt.n > 0 && evs[0].Seq != tt.first {
				t.Fatalf("got %+v, want %d events from %d", evs, tt.n, tt.first)
			}
			for i := 1; i < len(evs); i++ {
				if evs[i].Seq != evs[i-1].Seq+1 && evs[i-1].Type != conversation.TypeReset {
					t.Fatalf("gap or disorder: %d after %d", evs[i].Seq, evs[i-1].Seq)
				}
			}
		})
	}
	status, _, _ := call(t, "GET", in.url+"/api/v1/conversations/"+c.ID+"/events?after=-1", c.Token, "")
	if status != http.StatusBadRequest {
		t.Fatalf("after=-1: got %d, want 400", status)
	}
}

func TestHandoffQueuesAndSilencesTheBot(t *testing.T) {
	in := startOne(t, testConfig())
	c := in.open(t)
	a := in.say(t, c, "conseiller")
	if len(a.Events) != 2 || a.Events[0].From != conversation.FromBot || a.Events[1].Type != conversation.TypeQueued {
		t.Fatalf("handoff: got %+v, want the bot's reply (its words say it: no system message) and queued", a.Events)
	}
	b := in.say(t, c, "il y a quelqu'un ?")
	if len(b.Events) != 0 || b.Message.Seq != 5 {
		t.Fatalf("while queued: got %+v, want the message stored (seq 5) and no answer", b)
	}
	if got := in.bot.handled.Load(); got != 1 {
		t.Fatalf("bot called %d times, want 1", got)
	}
}

func TestEndClosesTheConversation(t *testing.T) {
	in := startOne(t, testConfig())
	c := in.open(t)
	a := in.say(t, c, "au revoir")
	if n := len(a.Events); n != 2 || a.Events[1].Type != conversation.TypeClosed {
		t.Fatalf("got %+v, want the goodbye and closed", a.Events)
	}
	body, _ := json.Marshal(map[string]string{"text": "encore"})
	status, _, data := call(t, "POST", in.url+"/api/v1/conversations/"+c.ID+"/messages", c.Token, string(body))
	if status != http.StatusConflict {
		t.Fatalf("after the end: got %d %s, want 409", status, data)
	}
}

// TestLimitsAreTheServers: GET /api/v1/limits gives the configured message limit, the one the
// server enforces.
func TestLimitsAreTheServers(t *testing.T) {
	cfg := testConfig()
	cfg.MaxMessageLength = 37
	in := startOne(t, cfg)
	status, _, data := call(t, "GET", in.url+"/api/v1/limits", "", "")
	got := decode[struct{ Limits map[string]int }](t, data).Limits
	if status != http.StatusOK || got["message"] != 37 {
		t.Fatalf("got %d %s, want 200 with message 37", status, data)
	}
	c := in.open(t)
	if status, _, _ := call(t, "POST", in.url+"/api/v1/conversations/"+c.ID+"/messages", c.Token, `{"text":"`+strings.Repeat("é", 38)+`"}`); status != http.StatusBadRequest {
		t.Fatalf("a message of 38 characters: got %d, want 400", status)
	}
}
