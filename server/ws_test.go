package server_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/store/storetest"
)

func TestWebsocketReplaysThenGoesLive(t *testing.T) {
	in := startOne(t, testConfig())
	c := in.open(t)
	in.say(t, c, "un")   // 2, 3
	in.say(t, c, "deux") // 4, 5
	ws := in.dial(t, c, "2")
	expectSeqs(t, ws, 3, 5)
	in.say(t, c, "trois") // 6, 7
	got := expectSeqs(t, ws, 6, 7)
	if got[0].Text != "trois" || got[0].From != conversation.FromCustomer || got[1].Text != "écho : trois" {
		t.Fatalf("live events: got %+v", got)
	}
}

func TestWebsocketReconnectResumesWithoutGapOrDuplicate(t *testing.T) {
	in := startOne(t, testConfig())
	c := in.open(t)
	ws := in.dial(t, c, "0")
	expectSeqs(t, ws, 1, 1)
	in.say(t, c, "un") // 2, 3
	expectSeqs(t, ws, 2, 3)
	ws.Close(websocket.StatusNormalClosure, "")
	in.say(t, c, "deux")  // 4, 5 while disconnected
	in.say(t, c, "trois") // 6, 7
	ws = in.dial(t, c, "3")
	expectSeqs(t, ws, 4, 7)
	in.say(t, c, "quatre")
	expectSeqs(t, ws, 8, 9)
}

func TestWebsocketOnOneInstanceReceivesEventsPostedOnAnother(t *testing.T) {
	st := storetest.Open(t)
	a := start(t, st, testConfig())
	b := start(t, st, testConfig())
	c := a.open(t)
	ws := a.dial(t, c, "1")
	for i := range 5 {
		b.say(t, c, "message "+strconv.Itoa(i))
		got := expectSeqs(t, ws, int64(2+2*i), int64(3+2*i))
		if got[0].Text != "message "+strconv.Itoa(i) {
			t.Fatalf("got %+v, want message %d", got[0], i)
		}
	}
	wsB := b.dial(t, c, "9")
	a.say(t, c, "retour")
	expectSeqs(t, ws, 12, 13)
	expectSeqs(t, wsB, 10, 13)
}

func TestWebsocketClosesAfterTheConversationEnds(t *testing.T) {
	in := startOne(t, testConfig())
	c := in.open(t)
	ws := in.dial(t, c, "1")
	in.say(t, c, "au revoir")
	expectSeqs(t, ws, 2, 4)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _, err := ws.Read(ctx)
	if got := websocket.CloseStatus(err); got != websocket.StatusNormalClosure {
		t.Fatalf("got %v, want a normal closure", err)
	}
}

func TestShutdownClosesWebsocketsGoingAway(t *testing.T) {
	in := startOne(t, testConfig())
	c := in.open(t)
	ws := in.dial(t, c, "0")
	expectSeqs(t, ws, 1, 1)
	stopped := make(chan error, 1)
	begin := time.Now()
	go func() { stopped <- in.stop() }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _, err := ws.Read(ctx)
	if got := websocket.CloseStatus(err); got != websocket.StatusGoingAway {
		t.Fatalf("got %v, want going away", err)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if took := time.Since(begin); took > 10*time.Second {
		t.Fatalf("shutdown took %s, want under 10 s", took)
	}
	if _, err := http.Get(in.url + "/healthz"); err == nil {
		t.Fatal("the server still accepts connections after shutdown")
	}
}

func TestWebsocketOrigins(t *testing.T) {
	cfg := testConfig()
	cfg.AllowedOrigins = []string{"https://boutique.example"}
	in := startOne(t, cfg)
	c := in.open(t)
	tests := []struct {
		name, origin string
		ok           bool
	}{
		{name: "allowed site", origin: "https://boutique.example", ok: true},
		{name: "no origin (not a browser)", origin: "", ok: true},
		{name: "another site", origin: "https://pirate.example", ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.origin != "" {
				h.Set("Origin", tt.origin)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			ws, resp, err := websocket.Dial(ctx, "ws"+in.url[4:]+"/api/v1/conversations/"+c.ID+"/ws?token="+c.Token, &websocket.DialOptions{HTTPHeader: h})
			if tt.ok != (err == nil) {
				t.Fatalf("got %v, want ok=%v", err, tt.ok)
			}
			if err == nil {
				ws.CloseNow()
			} else if resp == nil || resp.StatusCode != http.StatusForbidden {
				t.Fatalf("got %v, want 403", resp)
			}
		})
	}
}

func TestWebsocketSlowConsumerIsClosed(t *testing.T) {
	cfg := testConfig()
	cfg.WriteTimeout = 50 * time.Millisecond
	st := storetest.Open(t)
	in := start(t, st, cfg)
	c := in.open(t)
	ws := in.dial(t, c, "0")
	// A client that never reads: large events fill the kernel's buffers (a few MB) until a
	// write of the server cannot finish within WriteTimeout, and the server drops the client
	// (it resumes with after=). They are appended straight to the store (as another instance
	// would), not through bot turns, so filling them takes a few hundred appends, however slow
	// the machine.
	other := conversation.NewStore(st, conversation.Options{MaxEvents: -1})
	big := strings.Repeat("a", 16<<10)
	ctx := context.Background()
	const most = 4096 // 64 MiB
	var last int64
	for closed := 0.0; closed == 0; closed = metric(t, in, "relais_websockets_slow_closed_total") {
		if last == most {
			t.Fatalf("the slow client was not closed after %d events of %d bytes", last, len(big))
		}
		evs, err := other.Append(ctx, c.ID, []conversation.Event{conversation.Message("bot", big, nil)}, conversation.AppendOptions{})
		if err != nil {
			t.Fatal(err)
		}
		last = evs[0].Seq
	}
	var err error
	var read int64
	for err == nil {
		_, _, err = ws.Read(ctx)
		read++
	}
	if read > last {
		t.Fatalf("read %d events of %d, then %v", read, last, err)
	}
	if got := websocket.CloseStatus(err); got == websocket.StatusNormalClosure {
		t.Fatalf("got %v, want the connection dropped", err)
	}
	t.Logf("dropped after %d events appended, %d read: %v", last, read, err)
}
