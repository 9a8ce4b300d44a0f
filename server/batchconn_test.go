package server

import (
	"net"
	"sync"
	"testing"
	"time"
)

// recordingConn is a net.Conn that records each Write.
type recordingConn struct {
	net.Conn
	mu     sync.Mutex
	writes []string
}

func (c *recordingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes = append(c.writes, string(p))
	return len(p), nil
}

func (c *recordingConn) SetWriteDeadline(time.Time) error { return nil }

func TestBatchConnSendsHeldWritesAtOnce(t *testing.T) {
	rec := &recordingConn{}
	c := &batchConn{Conn: rec}
	c.Write([]byte("a"))
	c.hold()
	c.Write([]byte("b"))
	c.Write([]byte("c"))
	if len(rec.writes) != 1 {
		t.Fatalf("while held: %d writes reached the connection, want 1 (before hold)", len(rec.writes))
	}
	if err := c.release(time.Second); err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("d"))
	want := []string{"a", "bc", "d"}
	if len(rec.writes) != len(want) {
		t.Fatalf("got writes %q, want %q", rec.writes, want)
	}
	for i := range want {
		if rec.writes[i] != want[i] {
			t.Fatalf("got writes %q, want %q", rec.writes, want)
		}
	}
	if err := c.release(time.Second); err != nil || len(rec.writes) != 3 {
		t.Fatalf("empty release: %v, %d writes, want nothing written", err, len(rec.writes))
	}
}

// A write from another goroutine (a pong) during a batch goes after the batch, never inside.
func TestBatchConnKeepsOrderWithAnotherWriter(t *testing.T) {
	rec := &recordingConn{}
	c := &batchConn{Conn: rec}
	c.hold()
	c.Write([]byte("frame1"))
	var wg sync.WaitGroup
	wg.Go(func() { c.Write([]byte("pong")) })
	wg.Wait() // held too: it came while holding
	c.Write([]byte("frame2"))
	c.release(time.Second)
	if len(rec.writes) != 1 || rec.writes[0] != "frame1pongframe2" {
		t.Fatalf("got writes %q, want one write of the three in order", rec.writes)
	}
}
