package loadtest

import (
	"bufio"
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
)

func TestLeanClientRequestBytes(t *testing.T) {
	c := newLeanClient("http://relais.test:8090/base")
	got := string(c.appendRequest(nil, "/api/v1/conversations/c1/messages", "tok", "c0-1", []byte(`{"text":"bonjour"}`)))
	want := "POST /base/api/v1/conversations/c1/messages HTTP/1.1\r\n" +
		"Host: relais.test:8090\r\n" +
		"User-Agent: Go-http-client/1.1\r\n" +
		"Content-Type: application/json\r\n" +
		"Content-Length: 18\r\n" +
		"Authorization: Bearer tok\r\n" +
		"Idempotency-Key: c0-1\r\n" +
		"\r\n" +
		`{"text":"bonjour"}`
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	for _, u := range []string{"https://relais.test", "ws://relais.test", "http://user:pw@relais.test", "relais.test:80", "http://%zz"} {
		if newLeanClient(u) != nil {
			t.Errorf("newLeanClient(%q): got a client, want nil (net/http)", u)
		}
	}
	if c := newLeanClient("http://relais.test"); c == nil || c.addr != "relais.test:80" || c.host != "relais.test" {
		t.Errorf("newLeanClient without port: got %+v", c)
	}
}

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

// TestLeanClientExchanges: the requests the server receives, over one kept-alive connection.
func TestLeanClientExchanges(t *testing.T) {
	rec := newRecorder(t, fakeBot)
	r := &run{cfg: Config{URL: rec.srv.URL}}
	lc := newLeanClient(rec.srv.URL)
	defer lc.close()
	to := route{rec.srv.URL, lc}
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

// TestLeanClientRedials: after "Connection: close", and after the server dropped the idle
// connection, the next request goes through a new connection without error.
func TestLeanClientRedials(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Idempotency-Key") == "close" {
			w.Header().Set("Connection", "close")
		}
		fakeBot(w, r)
	})
	r := &run{cfg: Config{URL: rec.srv.URL}}
	lc := newLeanClient(rec.srv.URL)
	defer lc.close()
	to := route{rec.srv.URL, lc}
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

// TestLeanClientChunkedAndStatus: a chunked answer (with a trailer) is read whole, a non-2xx
// status is an error named by its code, and the connection serves on after both.
func TestLeanClientChunkedAndStatus(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get("Idempotency-Key") {
		case "chunked":
			w.Header().Set("Trailer", "X-Fin")
			io.WriteString(w, `{"events":[{"type":"message","from":"bot"},`)
			w.(http.Flusher).Flush()
			io.WriteString(w, `{"type":"closed","from":"bot"}]}`)
			w.Header().Set("X-Fin", "oui")
		case "busy":
			http.Error(w, "occupé", http.StatusServiceUnavailable)
		default:
			fakeBot(w, r)
		}
	})
	r := &run{cfg: Config{URL: rec.srv.URL}}
	lc := newLeanClient(rec.srv.URL)
	defer lc.close()
	to := route{rec.srv.URL, lc}
	ctx := context.Background()
	c := &conversation{ID: "c1", Token: "tok"}

	_, answered, goesOn, err := r.say(ctx, to, c, "bonjour", "chunked")
	if err != nil || !answered || goesOn {
		t.Fatalf("chunked: got answered %v, goes on %v, %v; want 2 events, the last closed", answered, goesOn, err)
	}
	if _, _, _, err := r.say(ctx, to, c, "bonjour", "busy"); err == nil || err.Error() != "503" {
		t.Fatalf("busy: got %v, want 503", err)
	}
	if _, _, _, err := r.say(ctx, to, c, "bonjour", "fine"); err != nil {
		t.Fatal(err)
	}
	reqs := rec.requests()
	for _, q := range reqs[1:] {
		if q.remote != reqs[0].remote {
			t.Errorf("got connections %s and %s, want one", reqs[0].remote, q.remote)
		}
	}

	var a answer
	if err := r.post(ctx, route{"http://127.0.0.1:1", newLeanClient("http://127.0.0.1:1")}, "/api/v1/conversations", "", "", nil, http.StatusCreated, &a); err == nil || err.Error() != "réseau" {
		t.Errorf("no server: got %v, want réseau", err)
	}
}

// TestLeanClientDeadline: a server that does not answer cannot hold a request past ctx.
func TestLeanClientDeadline(t *testing.T) {
	release := make(chan struct{})
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) { <-release })
	defer close(release)
	lc := newLeanClient(rec.srv.URL)
	defer lc.close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, _, err := lc.post(ctx, "/api/v1/conversations", "", "", nil); err == nil {
		t.Fatal("got an answer, want an error")
	}
	if ctx.Err() == nil || time.Since(start) > 2*time.Second {
		t.Errorf("returned after %s with ctx %v, want at ctx's deadline", time.Since(start), ctx.Err())
	}
}

func TestReadResponse(t *testing.T) {
	tests := []struct {
		name, in, body string
		status         int
		closing        bool
	}{
		{"content length", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokNEXT", "ok", 200, false},
		{"close", "HTTP/1.1 201 Created\r\nconnection: Close\r\ncontent-length: 2\r\n\r\nok", "ok", 201, true},
		{"HTTP/1.0", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", "ok", 200, true},
		{"HTTP/1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", "ok", 200, false},
		{"until close", "HTTP/1.1 200 OK\r\n\r\nto the end", "to the end", 200, true},
		{"no content", "HTTP/1.1 204 No Content\r\n\r\nNEXT", "", 204, false},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nX-Fin: oui\r\n\r\nNEXT", "abcde", 200, false},
		{"status without reason", "HTTP/1.1 429\r\nContent-Length: 0\r\n\r\n", "", 429, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReader(strings.NewReader(tt.in))
			status, body, closing, err := readResponse(br, nil)
			if err != nil || status != tt.status || string(body) != tt.body || closing != tt.closing {
				t.Fatalf("got %d %q closing %v %v, want %d %q closing %v", status, body, closing, err, tt.status, tt.body, tt.closing)
			}
			if rest, _ := io.ReadAll(br); strings.HasSuffix(tt.in, "NEXT") && string(rest) != "NEXT" {
				t.Errorf("left %q, want the next answer", rest)
			}
		})
	}
	for _, in := range []string{"", "HTTP/1.1 200 OK\r\n", "HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nno colon\r\n\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"} {
		if _, _, _, err := readResponse(bufio.NewReader(strings.NewReader(in)), nil); err == nil {
			t.Errorf("readResponse(%q): got no error", in)
		}
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
