package loadtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// seen is a request as the server received it.
type seen struct {
	method, path, proto, host, remote string
	header                            http.Header
	body                              string
}

// recorder is a test server that records requests and answers with handle.
type recorder struct {
	mu   sync.Mutex
	reqs []seen
	srv  *httptest.Server
}

func newRecorder(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) *recorder {
	rec := &recorder{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, seen{r.Method, r.URL.Path, r.Proto, r.Host, r.RemoteAddr, r.Header.Clone(), string(body)})
		rec.mu.Unlock()
		handle(w, r)
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

func (rec *recorder) requests() []seen {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]seen(nil), rec.reqs...)
}

// fakeBot answers like the server: a conversation on open, one bot event per message.
func fakeBot(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/api/v1/conversations" {
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"id":"c1","token":"tok","events":[{"seq":1,"type":"message","from":"bot","text":"Bonjour !"}]}`+"\n")
		return
	}
	io.WriteString(w, `{"message":{"seq":2,"type":"message","from":"customer","text":"x"},"events":[{"seq":3,"type":"message","from":"bot","text":"ok"}]}`+"\n")
}

// TestCustomerExchanges: the requests the server receives from a customer, over its one kept-alive connection.
func TestCustomerExchanges(t *testing.T) {
	rec := newRecorder(t, fakeBot)
	r := &run{cfg: Config{URL: rec.srv.URL}}
	to := route{rec.srv.URL, ownClient()}
	defer to.client.CloseIdleConnections()
	ctx := context.Background()

	var c conversation
	if err := r.post(ctx, to, "/api/v1/conversations", "", "", nil, http.StatusCreated, &c); err != nil {
		t.Fatal(err)
	}
	if c.ID != "c1" || c.Token != "tok" {
		t.Fatalf("got conversation %+v, want c1 and tok", c)
	}
	for i := range 3 {
		took, answered, goesOn, err := r.say(ctx, to, &c, "bonjour", "c0-"+strconv.Itoa(i))
		if err != nil || !answered || !goesOn || took <= 0 {
			t.Fatalf("say %d: got %v %v %v %v, want an answered turn that goes on", i, took, answered, goesOn, err)
		}
	}

	reqs := rec.requests()
	if len(reqs) != 4 {
		t.Fatalf("got %d requests, want 4", len(reqs))
	}
	open := reqs[0]
	if open.method != "POST" || open.path != "/api/v1/conversations" || open.proto != "HTTP/1.1" || open.body != "" ||
		open.header.Get("Content-Length") != "0" || open.header.Get("Content-Type") != "application/json" ||
		open.header.Get("Authorization") != "" || open.header.Get("Idempotency-Key") != "" {
		t.Errorf("open: got %+v", open)
	}
	for i, m := range reqs[1:] {
		if m.method != "POST" || m.path != "/api/v1/conversations/c1/messages" || m.host != rec.srv.Listener.Addr().String() ||
			m.body != `{"text":"bonjour"}` || m.header.Get("Content-Length") != "18" ||
			m.header.Get("Content-Type") != "application/json" || m.header.Get("Authorization") != "Bearer tok" ||
			m.header.Get("Idempotency-Key") != "c0-"+strconv.Itoa(i) {
			t.Errorf("message %d: got %+v", i, m)
		}
		if m.remote != open.remote {
			t.Errorf("message %d came from %s, want the kept-alive connection %s", i, m.remote, open.remote)
		}
	}
}

// TestCustomerRedials: after "Connection: close", and after the server dropped the idle
// connection, the next request goes through a new connection without error.
func TestCustomerRedials(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Idempotency-Key") == "close" {
			w.Header().Set("Connection", "close")
		}
		fakeBot(w, r)
	})
	r := &run{cfg: Config{URL: rec.srv.URL}}
	to := route{rec.srv.URL, ownClient()}
	defer to.client.CloseIdleConnections()
	ctx := context.Background()
	c := &conversation{ID: "c1", Token: "tok"}
	say := func(key string) {
		t.Helper()
		if _, _, _, err := r.say(ctx, to, c, "bonjour", key); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
	}
	say("close")
	say("after-close")
	say("kept")
	rec.srv.CloseClientConnections()
	say("after-drop")
	say("kept-again")

	reqs := rec.requests()
	remote := map[string]string{}
	for _, q := range reqs {
		remote[q.header.Get("Idempotency-Key")] = q.remote
	}
	if remote["after-close"] == remote["close"] || remote["after-drop"] == remote["kept"] {
		t.Errorf("got connections %v, want a new one after close and after drop", remote)
	}
	if remote["kept"] != remote["after-close"] || remote["kept-again"] != remote["after-drop"] {
		t.Errorf("got connections %v, want the new ones kept alive", remote)
	}
}

// wsServer is a coder/websocket server: handle runs on each accepted websocket, and is told
// the request.
func wsServer(t *testing.T, handle func(conn *websocket.Conn, r *http.Request)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer conn.CloseNow()
		handle(conn, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestCustomerCountsEvents: a run's customer counts one event per message.
func TestCustomerCountsEvents(t *testing.T) {
	srv := wsServer(t, func(conn *websocket.Conn, _ *http.Request) {
		ctx := context.Background()
		conn.Write(ctx, websocket.MessageText, []byte(`{"type":"message"}`))
		w, _ := conn.Writer(ctx, websocket.MessageText)
		w.Write([]byte(`{"type":`))
		w.Write([]byte(`"typing"}`))
		w.Close()
		conn.Write(ctx, websocket.MessageText, []byte(`{"type":"message"}`))
		conn.Read(ctx)
	})
	r := &run{cfg: Config{Client: http.DefaultClient}, errs: map[string]int64{}}
	c := &conversation{ID: "c1", Token: "tok", url: srv.URL}
	r.dial(context.Background(), c)
	if c.ws == nil {
		t.Fatalf("no websocket: %v", r.errs)
	}
	for deadline := time.Now().Add(5 * time.Second); r.wsEvents.Load() < 3 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	r.closeConversation(c)
	if got := r.wsEvents.Load(); got != 3 || r.errors.Load() != 0 {
		t.Errorf("got %d events and %d errors, want 3 and none", got, r.errors.Load())
	}
}

func TestDecode(t *testing.T) {
	var c conversation
	if err := c.decode([]byte(` { "events" : [ {"text": "{\"id\": \"no\"}"} ], "id" : "c\u00e91", "token":"t" } ` + "\n")); err != nil || c.ID != "cé1" || c.Token != "t" {
		t.Errorf("conversation: got %+v %v", c, err)
	}
	tests := []struct {
		in   string
		want []answerEvent
	}{
		{`{"message":{"from":"customer","type":"message"},"events":[{"seq":3,"type":"message","at":"2026","from":"bot","text":"a \"]}\\","quick_replies":["x","y"],"n":[1.5e3,true,null,{}]}]}`,
			[]answerEvent{{"message", "bot"}}},
		{`{"events":[{"type":"closed"},{"from":"\u0073ystem"},null]}`, []answerEvent{{Type: "closed"}, {From: "system"}, {}}},
		{`{"events":[]}`, []answerEvent{}},
		{`{"events":null}`, []answerEvent{}},
		{`{}`, nil},
		{`null`, nil},
	}
	for _, tt := range tests {
		var a answer
		if err := a.decode([]byte(tt.in)); err != nil || len(a.Events) != len(tt.want) {
			t.Errorf("%s: got %+v %v, want %+v", tt.in, a.Events, err, tt.want)
			continue
		}
		for i := range tt.want {
			if a.Events[i] != tt.want[i] {
				t.Errorf("%s: got %+v, want %+v", tt.in, a.Events, tt.want)
			}
		}
	}
	for _, in := range []string{``, `[]`, `{"events":[`, `{"events":5}`, `{"events":[{"type":5}]}`, `{"events" [] }`,
		`{"events":[{"type":"message"}`, `{"events":[{"type":"message"}}]}`, `{"id":"x`, `{"a":1 "b":2}`} {
		var a answer
		if err := a.decode([]byte(in)); err == nil {
			t.Errorf("%s: got %+v and no error", in, a.Events)
		}
	}
}

// FuzzDecode: on well-formed JSON, answer.decode reads what encoding/json reads (keys in
// lower case, not escaped, as the server writes them), and it never panics.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"message":{"seq":2,"type":"message","from":"customer","text":"bonjour"},"events":[{"seq":3,"type":"message","from":"bot","text":"ok","quick_replies":["a","b"]}]}`,
		`{"events":[{"type":"closed","from":"system","text":"a \"b\" \\ c"}]}`,
		`{"events":null,"x":[1,{"y":[]}],"events":[{"type":"t"}]}`,
		`{"events":[{"type":"t"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got answer
		err := got.decode(data)
		if !json.Valid(data) || !utf8.Valid(data) || strings.ContainsAny(string(data), `\ABCDEFGHIJKLMNOPQRSTUVWXYZ`) {
			return
		}
		var want struct {
			Events []struct {
				Type string `json:"type"`
				From string `json:"from"`
			} `json:"events"`
		}
		if json.Unmarshal(data, &want) != nil {
			return
		}
		if err != nil || len(got.Events) != len(want.Events) {
			t.Fatalf("got %+v %v, want %+v", got.Events, err, want.Events)
		}
		for i, ev := range want.Events {
			if got.Events[i] != (answerEvent{ev.Type, ev.From}) {
				t.Fatalf("got %+v, want %+v", got.Events, want.Events)
			}
		}
	})
}
