package server

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// batchConn is the connection under a websocket: between hold and release its writes
// are kept and then sent in one write. The websocket library flushes every frame, one event
// each; the events of a turn (the customer's message and the bot's replies) then leave together,
// one system call and one TCP segment instead of one per event.
type batchConn struct {
	net.Conn
	mu      sync.Mutex
	holding bool
	held    []byte
}

func (c *batchConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.holding {
		c.held = append(c.held, p...)
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// hold keeps the next writes until release.
func (c *batchConn) hold() {
	c.mu.Lock()
	c.holding = true
	c.mu.Unlock()
}

// release writes what was held, within timeout. Writes from other goroutines (a pong) wait
// for it, so the bytes keep their order.
func (c *batchConn) release(timeout time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.holding = false
	if len(c.held) == 0 {
		return nil
	}
	c.Conn.SetWriteDeadline(time.Now().Add(timeout))
	_, err := c.Conn.Write(c.held)
	c.Conn.SetWriteDeadline(time.Time{})
	c.held = c.held[:0]
	return err
}

// batchHijacker is the ResponseWriter a websocket is accepted on: it hands the websocket
// library a batchConn instead of the bare connection.
type batchHijacker struct {
	http.ResponseWriter
	conn *batchConn // after Hijack
}

func (h *batchHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := h.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("server: la connexion ne peut pas passer en websocket")
	}
	conn, rw, err := hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	if err := rw.Writer.Flush(); err != nil {
		conn.Close()
		return nil, nil, err
	}
	h.conn = &batchConn{Conn: conn}
	// Small buffers: a websocket mostly sits idle, what it writes is held by batchConn, and
	// what it reads is pongs and, for a desk, short commands (bufio passes longer reads
	// through). When the client's first frames came with its upgrade request, they are in
	// net/http's buffer, which stays: the websocket library takes what a reader has buffered,
	// not what the reader under it would give.
	r := rw.Reader
	if r.Buffered() == 0 {
		r = bufio.NewReaderSize(h.conn, socketBufio)
	}
	return h.conn, bufio.NewReadWriter(r, bufio.NewWriterSize(h.conn, socketBufio)), nil
}

// socketBufio is the size of a websocket's read and write buffers.
const socketBufio = 512
