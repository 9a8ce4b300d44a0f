package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/coder/websocket"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/dialog"
	"github.com/relais/relais/server"
	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

// fakeBot answers "écho : TEXT"; "conseiller" hands over ("conseiller CATEGORY": to that
// category's agents), "au revoir" ends, "panne" fails,
// "lent" waits until slow is closed.
type fakeBot struct {
	handled atomic.Int64
	slow    chan struct{}
}

// SessionKey gives a fake key with the conversation's hash tag: the fake keeps no session.
func (b *fakeBot) SessionKey(id string) (string, time.Duration, bool) {
	return "fake:session:{" + id + "}", time.Minute, true
}

func (b *fakeBot) Greet(ctx context.Context, id string) (dialog.Turn, []byte, error) {
	return dialog.Turn{Replies: []dialog.Reply{{Text: "Bonjour ! Comment puis-je vous aider ?", QuickReplies: []string{"Suivre ma commande"}}}}, nil, nil
}

func (b *fakeBot) Answer(ctx context.Context, id, text, session string) (dialog.Turn, []byte, error) {
	turn, err := b.handle(ctx, text)
	return turn, nil, err
}

func (b *fakeBot) handle(ctx context.Context, text string) (dialog.Turn, error) {
	b.handled.Add(1)
	if category, ok := strings.CutPrefix(text, "conseiller "); ok { // a category's agents
		return dialog.Turn{Intent: "mise_en_relation_agent", Understood: true, Replies: []dialog.Reply{{Text: "Bien sûr."}},
			Handoff: &dialog.Handoff{Intent: "mise_en_relation_agent", Category: category, Priority: "normal", Summary: "demande un conseiller"}}, nil
	}
	switch text {
	case "conseiller":
		return dialog.Turn{Intent: "mise_en_relation_agent", Understood: true,
			Replies: []dialog.Reply{{Text: "Bien sûr."}},
			Handoff: &dialog.Handoff{Intent: "mise_en_relation_agent", Priority: "normal", Summary: "demande un conseiller"}}, nil
	case "au revoir":
		return dialog.Turn{Intent: "au_revoir", Understood: true, Replies: []dialog.Reply{{Text: "Au revoir !"}}, End: true}, nil
	case "panne":
		return dialog.Turn{}, errors.New("bot en panne")
	case "lent":
		select {
		case <-b.slow:
		case <-ctx.Done():
			return dialog.Turn{}, ctx.Err()
		}
	}
	return dialog.Turn{Intent: "echo", Understood: true, Replies: []dialog.Reply{{Text: "écho : " + text}}}, nil
}

// testConfig is the default configuration with fast timers for tests.
func testConfig() server.Config {
	cfg := server.DefaultConfig()
	cfg.RequestsPerIP, cfg.ConversationsPerIP, cfg.MessagesPerConversation = 0, 0, 0
	cfg.ShutdownTimeout = 5 * time.Second
	return cfg
}

var testStatic = fstest.MapFS{
	"web/index.html": {Data: []byte("<!doctype html><title>Démo</title>")},
	"web/widget.js":  {Data: []byte("console.log('widget')")},
	"web/desk.html":  {Data: []byte("<!doctype html><title>Bureau</title>")},
}

// instance is one running server.
type instance struct {
	srv  *server.Server
	url  string
	bot  *fakeBot
	stop func() error // shuts the server down and returns Serve's error
}

// start runs a server on 127.0.0.1:0 over st until the test ends.
func start(t testing.TB, st *store.Store, cfg server.Config) *instance {
	t.Helper()
	bot := &fakeBot{}
	return serve(t, bot, server.Deps{Store: st, Bot: bot, Static: testStatic}, cfg)
}

// serve runs a server built from deps on 127.0.0.1:0 until the test ends.
func serve(t testing.TB, bot *fakeBot, deps server.Deps, cfg server.Config) *instance {
	t.Helper()
	srv, err := server.New(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	var stopped atomic.Bool
	stop := func() error {
		if !stopped.CompareAndSwap(false, true) {
			return nil
		}
		cancel()
		err := <-done
		srv.Close()
		return err
	}
	t.Cleanup(func() { stop() })
	return &instance{srv: srv, url: "http://" + ln.Addr().String(), bot: bot, stop: stop}
}

// startOne runs a server on a fresh store.
func startOne(t testing.TB, cfg server.Config) *instance {
	return start(t, storetest.Open(t), cfg)
}

type created struct {
	ID     string               `json:"id"`
	Token  string               `json:"token"`
	Events []conversation.Event `json:"events"`
}

type answer struct {
	Message conversation.Event   `json:"message"`
	Events  []conversation.Event `json:"events"`
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// call sends a request and returns the status, headers and body.
func call(t testing.TB, method, url, token, body string, header ...string) (int, http.Header, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return do(t, req)
}

func decode[T any](t testing.TB, data []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	return v
}

// open creates a conversation on in.
func (in *instance) open(t testing.TB) created {
	t.Helper()
	status, _, body := call(t, "POST", in.url+"/api/v1/conversations", "", "")
	if status != http.StatusCreated {
		t.Fatalf("create: got %d %s, want 201", status, body)
	}
	return decode[created](t, body)
}

// say posts text to c on in and returns the answer.
func (in *instance) say(t testing.TB, c created, text string, header ...string) answer {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"text": text})
	status, _, data := call(t, "POST", in.url+"/api/v1/conversations/"+c.ID+"/messages", c.Token, string(body), header...)
	if status != http.StatusOK {
		t.Fatalf("message %q: got %d %s, want 200", text, status, data)
	}
	return decode[answer](t, data)
}

// events lists c's events after seq.
func (in *instance) events(t testing.TB, c created, after string) []conversation.Event {
	t.Helper()
	status, _, data := call(t, "GET", in.url+"/api/v1/conversations/"+c.ID+"/events?after="+after, c.Token, "")
	if status != http.StatusOK {
		t.Fatalf("events: got %d %s, want 200", status, data)
	}
	return decode[struct{ Events []conversation.Event }](t, data).Events
}

// dial opens c's websocket on in after seq.
func (in *instance) dial(t testing.TB, c created, after string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(in.url, "http")+"/api/v1/conversations/"+c.ID+"/ws?token="+c.Token+"&after="+after, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	return ws
}

// next reads one event from ws, failing after 10 s.
func next(t testing.TB, ws *websocket.Conn) conversation.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, data, err := ws.Read(ctx)
	if err != nil {
		t.Fatalf("websocket read: %v", err)
	}
	var ev conversation.Event
	if err := json.Unmarshal(bytes.TrimSpace(data), &ev); err != nil {
		t.Fatalf("websocket event %s: %v", data, err)
	}
	return ev
}

// expectSeqs reads events from ws and checks they are exactly from..to, in order.
func expectSeqs(t testing.TB, ws *websocket.Conn, from, to int64) []conversation.Event {
	t.Helper()
	var got []conversation.Event
	for want := from; want <= to; want++ {
		ev := next(t, ws)
		if ev.Seq != want {
			t.Fatalf("websocket: got seq %d, want %d", ev.Seq, want)
		}
		got = append(got, ev)
	}
	return got
}

// tryGet is a GET that reports a refused connection as status 0.
func tryGet(url string) (int, http.Header, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, nil, err
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header, nil
}
