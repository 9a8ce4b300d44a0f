package server_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/server"
	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

// rawConn opens a TCP connection to in and fails the test after 10 s of silence.
func rawConn(t testing.TB, in *instance) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(in.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

// statusLine reads the first line of an HTTP answer on c.
func statusLine(t testing.TB, c net.Conn) string {
	t.Helper()
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	return strings.TrimSpace(line)
}

// TestSlowBodyIsCut: a body sent a byte at a time is cut at BodyTimeout with 408, and its
// connection closed; a long answer after a body read in time is not cut.
func TestSlowBodyIsCut(t *testing.T) {
	cfg := testConfig()
	cfg.BodyTimeout = 300 * time.Millisecond
	in := startOne(t, cfg)
	c := rawConn(t, in)
	start := time.Now()
	_, err := c.Write([]byte("POST /api/v1/conversations HTTP/1.1\r\nHost: relais\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"))
	if err != nil {
		t.Fatal(err)
	}
	if got := statusLine(t, c); !strings.Contains(got, " 408 ") {
		t.Fatalf("got %q, want 408", got)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("answered after %s, want about %s", took, cfg.BodyTimeout)
	}

	// A body dripped a byte every 50 ms never lets the connection idle, and is cut all the
	// same: the deadline is the whole body's, not each read's (read whole, it would get another
	// answer than 408).
	drip := rawConn(t, in)
	body := `{"note":"` + strings.Repeat("a", 80) + `"}`
	fmt.Fprintf(drip, "POST /api/v1/conversations HTTP/1.1\r\nHost: relais\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
	stopDrip := make(chan struct{})
	go func() {
		for i := 0; i < len(body); i++ {
			select {
			case <-stopDrip:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := drip.Write([]byte{body[i]}); err != nil {
				return
			}
		}
	}()
	got := statusLine(t, drip)
	close(stopDrip)
	if !strings.Contains(got, " 408 ") {
		t.Fatalf("dripped body: got %q, want 408", got)
	}

	conv := in.open(t)
	in.bot.slow = make(chan struct{})
	done := make(chan answer, 1)
	go func() { done <- in.say(t, conv, "lent") }()
	time.AfterFunc(3*cfg.BodyTimeout, func() { close(in.bot.slow) }) // the bot answers late
	if got := <-done; len(got.Events) == 0 {
		t.Errorf("slow answer: got %+v, want the bot's reply", got)
	}
}

// TestConnectionsPerAddress: past ConnectionsPerIP open connections from one address, the
// next one is answered 429 and closed; a place given back is free again.
func TestConnectionsPerAddress(t *testing.T) {
	cfg := testConfig()
	cfg.ConnectionsPerIP = 2
	in := startOne(t, cfg)
	first, _ := rawConn(t, in), rawConn(t, in)
	third := rawConn(t, in)
	refused, err := http.ReadResponse(bufio.NewReader(third), nil)
	if err != nil || refused.StatusCode != http.StatusTooManyRequests || refused.Header.Get("X-Content-Type-Options") != "nosniff" ||
		refused.Header.Get("Retry-After") == "" {
		t.Fatalf("third connection: got %+v %v, want 429 with Retry-After and nosniff", refused, err)
	}
	if e := decodeErr(readAllBody(t, refused)); e.Error.Code != "too_many" || !strings.Contains(e.Error.Message, "Trop de connexions") {
		t.Errorf("third connection: got %+v, want too_many in French", e)
	}
	first.Write([]byte("GET /healthz HTTP/1.1\r\nHost: relais\r\nConnection: close\r\n\r\n"))
	if got := statusLine(t, first); !strings.Contains(got, " 200 ") {
		t.Fatalf("first connection: got %q, want 200", got)
	}
	first.Read(make([]byte, 1024)) // until the server closes it: its place is free
	deadline := time.Now().Add(5 * time.Second)
	for {
		c := rawConn(t, in)
		c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: relais\r\nConnection: close\r\n\r\n"))
		got := statusLine(t, c)
		if strings.Contains(got, " 200 ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a connection closed: got %q, want 200", got)
		}
	}
}

func TestWebsocketsPerAddress(t *testing.T) {
	cfg := testConfig()
	cfg.SocketsPerIP = 1
	in := startOne(t, cfg)
	c := in.open(t)
	ws := in.dial(t, c, "0")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(in.url, "http") + "/api/v1/conversations/" + c.ID + "/ws?token=" + c.Token
	_, resp, err := websocket.Dial(ctx, url, nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("second websocket: got %v, want 429", err)
	}
	ws.Close(websocket.StatusNormalClosure, "")
	deadline := time.Now().Add(5 * time.Second)
	for {
		again, _, err := websocket.Dial(ctx, url, nil)
		if err == nil {
			again.CloseNow()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the first closed: got %v, want a websocket", err)
		}
	}
}

// TestClosedConversationClosesSocket: a customer socket whose conversation vanishes (expired,
// removed) is closed with 4404 at the next safety poll, not left silent.
func TestClosedConversationClosesSocket(t *testing.T) {
	cfg := testConfig()
	cfg.SafetyPoll = 50 * time.Millisecond
	st, c, ws := socketOfNewConversation(t, cfg)
	ctx := context.Background()
	keys, err := st.Client.Keys(ctx, "*"+c.ID+"*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("keys of the conversation: got %v %v", keys, err)
	}
	if err := st.Client.Del(ctx, keys...).Err(); err != nil {
		t.Fatal(err)
	}
	if ce := expectGone(t, ws); !strings.Contains(ce.Reason, "conversation introuvable") {
		t.Fatalf("got reason %q, want « conversation introuvable »", ce.Reason)
	}
}

// TestErasedConversationClosesSocketAtOnce: a conversation erased (conversation.Store.Delete,
// as a privacy erasure does) closes its customer socket with 4404 at once, not at the next
// safety poll (30 s here: the read's 10 s deadline would pass first).
func TestErasedConversationClosesSocketAtOnce(t *testing.T) {
	cfg := testConfig()
	cfg.SafetyPoll = 30 * time.Second
	st, c, ws := socketOfNewConversation(t, cfg)
	if _, err := conversation.NewStore(st, conversation.Options{}).Delete(context.Background(), c.ID); err != nil {
		t.Fatal(err)
	}
	expectGone(t, ws)
}

// socketOfNewConversation starts a server with cfg on a store of its own, opens a
// conversation and its customer socket, and reads the events it began with.
func socketOfNewConversation(t *testing.T, cfg server.Config) (*store.Store, created, *websocket.Conn) {
	t.Helper()
	st := storetest.Open(t)
	in := start(t, st, cfg)
	c := in.open(t)
	ws := in.dial(t, c, "0")
	expectSeqs(t, ws, 1, int64(len(c.Events)))
	return st, c, ws
}

// expectGone reads ws, which the server must close with 4404 (the conversation is gone)
// within 10 s.
func expectGone(t *testing.T, ws *websocket.Conn) websocket.CloseError {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _, err := ws.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4404 {
		t.Fatalf("got %v, want close 4404", err)
	}
	return ce
}

func readAllBody(t testing.TB, resp *http.Response) []byte {
	t.Helper()
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
