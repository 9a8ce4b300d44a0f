package e2e_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"testing"

	"github.com/relais/relais/cli"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/server"
	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

// testServer is the real server, in process, on 127.0.0.1:0.
type testServer struct {
	URL      string
	ln       *trackingListener
	accounts *handoff.Accounts
}

// startServer runs the server with the bot of newBot over the test store (REDIS_URL's Redis, or
// the embedded one) until the test ends; configure changes the default configuration.
func startServer(t *testing.T, configure ...func(*server.Config)) *testServer {
	t.Helper()
	needBrowser(t) // skip before doing anything when browser tests are not asked for
	cfg := server.DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	for _, f := range configure {
		f(&cfg)
	}
	st := storetest.Open(t)
	return serve(t, cfg, st)
}

// testLogger writes the server's log into the test's output: warnings, or everything with
// RELAIS_E2E_LOG set.
func testLogger(t *testing.T) *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("RELAIS_E2E_LOG") != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: level}))
}

// serve runs the server of `relais serve` (cli.Wire) on st, with the bot of newBot, on
// 127.0.0.1:0 until the test ends.
func serve(t *testing.T, cfg server.Config, st *store.Store) *testServer {
	t.Helper()
	w, err := cli.Wire(cfg, st, newBot(t, st), testLogger(t), handoff.AccountOptions{Cost: 10})
	if err != nil {
		t.Fatalf("cli.Wire: %v", err)
	}
	srv := w.Server
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ln := &trackingListener{Listener: inner, conns: map[net.Conn]struct{}{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
		srv.Close()
	})
	return &testServer{URL: "http://" + inner.Addr().String(), ln: ln, accounts: w.Accounts}
}

// dropConnections cuts every connection the server has accepted, websockets included, as a
// network failure between the customer and the server would.
func (s *testServer) dropConnections() int { return s.ln.dropAll() }

// trackingListener remembers its open connections so that a test can cut them.
type trackingListener struct {
	net.Listener
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.conns[c] = struct{}{}
	l.mu.Unlock()
	return &trackedConn{Conn: c, l: l}, nil
}

func (l *trackingListener) dropAll() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.conns)
	for c := range l.conns {
		c.Close()
		delete(l.conns, c)
	}
	return n
}

type trackedConn struct {
	net.Conn
	l    *trackingListener
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c.Conn)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

// testWriter sends the server's log to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(p))
	return len(p), nil
}
