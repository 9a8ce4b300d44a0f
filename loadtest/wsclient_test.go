package loadtest

import (
	"bufio"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

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

// dialTest opens a wsClient to target on srv.
func dialTest(t *testing.T, srv *httptest.Server, target string) (*wsClient, error) {
	t.Helper()
	u, _ := url.Parse(srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return dialWS(ctx, u.Host, u.Host, target)
}

// await returns what ch gives within 5 s.
func await[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: nothing within 5 s", what)
		panic("unreachable")
	}
}

// TestWSClientMessages: the handshake is accepted, and each message is read once, whatever its
// length, including one the server writes in several frames.
func TestWSClientMessages(t *testing.T) {
	long := strings.Repeat("x", 70000) // 64-bit length
	srv := wsServer(t, func(conn *websocket.Conn, r *http.Request) {
		ctx := context.Background()
		if r.URL.RequestURI() != "/base/ws?token=tok" || r.Header.Get("Origin") != "" {
			conn.Close(websocket.StatusPolicyViolation, "requête inattendue")
			return
		}
		for _, m := range []string{"a", "b", strings.Repeat("y", 200), long} { // 7, 7, 16-bit lengths
			conn.Write(ctx, websocket.MessageText, []byte(m))
		}
		w, _ := conn.Writer(ctx, websocket.MessageText)
		for _, part := range []string{"un ", "deux ", "trois"} {
			w.Write([]byte(part))
		}
		w.Close()
		conn.Write(ctx, websocket.MessageBinary, []byte("fin"))
		conn.Read(ctx) // until the client closes
	})
	c, err := dialTest(t, srv, "/base/ws?token=tok")
	if err != nil {
		t.Fatal(err)
	}
	defer c.closeNow()
	for _, want := range []string{"a", "b", strings.Repeat("y", 200), long, "un deux trois", "fin"} {
		got, err := c.read()
		if err != nil {
			t.Fatalf("want %.20q…, got %v", want, err)
		}
		if string(got) != want {
			t.Fatalf("got %.20q… (%d bytes), want %.20q… (%d bytes)", got, len(got), want, len(want))
		}
	}
}

// TestWSClientCountsEvents: a run's customer counts one event per message.
func TestWSClientCountsEvents(t *testing.T) {
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
	u, _ := url.Parse(srv.URL)
	r := &run{cfg: Config{Client: http.DefaultClient}, lean: true, errs: map[string]int64{}}
	c := &conversation{ID: "c1", Token: "tok", url: srv.URL}
	r.dial(context.Background(), c)
	if _, ok := c.ws.(*wsClient); !ok {
		t.Fatalf("got a websocket %T on %s, want a *wsClient", c.ws, u)
	}
	for deadline := time.Now().Add(5 * time.Second); r.wsEvents.Load() < 3 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	r.closeConversation(c)
	if got := r.wsEvents.Load(); got != 3 || r.errors.Load() != 0 {
		t.Errorf("got %d events and %d errors, want 3 and none", got, r.errors.Load())
	}
}

// TestDialConversationCoder: with a caller's Client, a customer's websocket goes through
// coder/websocket.
func TestDialConversationCoder(t *testing.T) {
	srv := wsServer(t, func(conn *websocket.Conn, _ *http.Request) { conn.Read(context.Background()) })
	r := &run{cfg: Config{Client: http.DefaultClient}, lean: false}
	ws, err := r.dialConversation(context.Background(), &conversation{ID: "c1", Token: "tok", url: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.close()
	if _, ok := ws.(coderSocket); !ok {
		t.Errorf("got %T, want a coderSocket", ws)
	}
}

// TestWSClientPing: the client answers a ping of the server with a pong.
func TestWSClientPing(t *testing.T) {
	pinged := make(chan error, 1)
	srv := wsServer(t, func(conn *websocket.Conn, _ *http.Request) {
		ctx := conn.CloseRead(context.Background()) // reads the pong
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		pinged <- conn.Ping(pctx)
		<-ctx.Done()
	})
	c, err := dialTest(t, srv, "/ws")
	if err != nil {
		t.Fatal(err)
	}
	defer c.closeNow()
	go c.read()
	if err := await(t, pinged, "ping"); err != nil {
		t.Errorf("ping: %v", err)
	}
}

// TestWSClientClose: the server sees the client's close with status 1000, and the reader stops.
func TestWSClientClose(t *testing.T) {
	closed := make(chan error, 1)
	srv := wsServer(t, func(conn *websocket.Conn, _ *http.Request) {
		_, _, err := conn.Read(context.Background())
		closed <- err
	})
	c, err := dialTest(t, srv, "/ws")
	if err != nil {
		t.Fatal(err)
	}
	read := make(chan error, 1)
	go func() {
		_, err := c.read()
		read <- err
	}()
	c.close()
	if err := await(t, closed, "server read"); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Errorf("server: got %v, want status 1000", err)
	}
	if err := await(t, read, "client read"); err == nil {
		t.Errorf("client read: got no error after close")
	}
}

// TestWSClientServerCloses: the client answers the server's close, and its read ends.
func TestWSClientServerCloses(t *testing.T) {
	closed := make(chan error, 1)
	srv := wsServer(t, func(conn *websocket.Conn, _ *http.Request) {
		closed <- conn.Close(websocket.StatusNormalClosure, "conversation terminée")
	})
	c, err := dialTest(t, srv, "/ws")
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	if _, err := c.read(); !errors.Is(err, errWSClosed) {
		t.Errorf("client read: got %v, want %v", err, errWSClosed)
	}
	if err := await(t, closed, "server close"); err != nil {
		t.Errorf("server close: got %v, want the client's answer", err)
	}
}

// TestWSClientRefused: a handshake without 101 or with a wrong Sec-WebSocket-Accept fails.
func TestWSClientRefused(t *testing.T) {
	for _, tt := range []struct {
		name, answer string
		want         string
	}{
		{"403", "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", "403"},
		{"bad accept", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n", errWSAccept.Error()},
		{"no accept", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", errWSAccept.Error()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				conn, brw, err := http.NewResponseController(w).Hijack()
				if err != nil {
					return
				}
				defer conn.Close()
				brw.WriteString(tt.answer)
				brw.Flush()
				bufio.NewReader(conn).ReadByte() // until the client hangs up
			}))
			defer srv.Close()
			c, err := dialTest(t, srv, "/ws")
			if err == nil {
				c.closeNow()
				t.Fatal("got a websocket, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

func TestWSAccept(t *testing.T) {
	// The example of RFC 6455, 1.3.
	if got := wsAccept("dGhlIHNhbXBsZSBub25jZQ=="); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Errorf("got %s", got)
	}
}
