package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/labstack/echo/v4"

	rmetrics "github.com/relais/relais/metrics"
)

// socket is one open websocket, a customer's or a desk's, and its one writer (run): it writes
// the frames of one read in one write (batchConn), every write with a deadline, pings on a
// timer, and closes the connection when end asks or after the frame that ends the
// conversation. A customer socket's writer reads its conversation itself (a source: no
// buffer, no goroutine of its own; a client that cannot take a write within the deadline is
// dropped and resumes with after=). A desk's is handed messages by post, which never waits:
// the notice reader serves every desk, and a desk whose buffer is full is closed.
type socket struct {
	conn      *websocket.Conn
	raw       *batchConn // under conn
	side      rmetrics.Side
	out       chan frame
	closing   chan closing // capacity 1: end's request, for the writer
	ctx       context.Context
	cancel    context.CancelFunc
	delivered atomic.Int64 // customer sockets: the last sequence number written to the client
	metrics   *rmetrics.Metrics
	ended     bool // the writer wrote the frame that ends the conversation
}

// frame is one message ready to write.
type frame struct {
	seq    int64 // customer sockets: the client's place once this frame is written
	closed bool  // the conversation ended: the socket closes after this frame
	data   []byte
}

// closing is a request to close a socket with a status.
type closing struct {
	code   websocket.StatusCode
	reason string
}

// accept upgrades the request to a websocket of side, accepted from origins (none: the
// server's own pages only), counted against the client's address and among the sockets this
// instance closes at shutdown, and runs serve on it on a goroutine of its own. The handler
// returns at once: net/http's goroutine for the request ends, and with it what it keeps for
// the request (buffers, a deep stack), several KB per idle socket. An error is answered as
// usual; a refused upgrade or a server shutting down has been answered already.
func (s *Server) accept(c echo.Context, side rmetrics.Side, origins []string, buffer int, serve func(*socket)) error {
	release, err := s.takeSocket(c)
	if err != nil {
		return err
	}
	r := c.Request()
	w := &batchHijacker{ResponseWriter: c.Response()}
	opts := &websocket.AcceptOptions{OriginPatterns: origins}
	if side == rmetrics.Agent {
		// A desk's envelopes (the queue, transcripts) are repetitive JSON: each is compressed
		// on its own, so that an idle desk holds no compressor (the library pools them).
		opts.CompressionMode = websocket.CompressionNoContextTakeover
	}
	conn, err := websocket.Accept(w, r, opts)
	if err != nil {
		release()
		s.logger(c).Info("websocket refusée", "err", err)
		return nil // Accept has answered
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	sock := &socket{conn: conn, raw: w.conn, side: side, out: make(chan frame, buffer),
		closing: make(chan closing, 1), ctx: ctx, cancel: cancel, metrics: s.metrics.m}
	if !s.sockets.add(sock) {
		conn.Close(websocket.StatusGoingAway, "serveur en cours d'arrêt")
		cancel()
		release()
		return nil
	}
	s.metrics.m.SocketOpened(side)
	go func() {
		defer func() {
			cancel()
			conn.CloseNow()
			s.sockets.remove(sock)
			s.metrics.m.SocketClosed(side)
			release()
		}()
		serve(sock)
	}()
	return nil
}

// readNothing is for a socket whose client sends nothing but pongs and its close (a
// customer's: it sends through POST): from now on the socket's context also ends when the
// connection closes.
func (sock *socket) readNothing() {
	sock.ctx = sock.conn.CloseRead(sock.ctx)
}

// reconnect is a close reason that tells the client to come back: customer sockets say from
// where (after=SEQ, the last event written).
func (sock *socket) reconnect(what string) string {
	if sock.side == rmetrics.Customer {
		return fmt.Sprintf("%s : reconnectez-vous avec after=%d", what, sock.delivered.Load())
	}
	return what + " : reconnectez-vous"
}

// end asks the writer to close the socket with a status; it does not wait, and the first
// request wins. The writer sends the close frame before the socket's context ends:
// cancelling first would let a read loop drop the connection before the frame is written,
// and the client would see no status.
func (sock *socket) end(code websocket.StatusCode, reason string) {
	select {
	case sock.closing <- closing{code, reason}:
	default: // already asked
	}
}

// post hands one message to the writer without waiting, for a producer that serves many
// sockets; a socket whose buffer is full cannot keep up, and is closed.
func (sock *socket) post(data []byte) {
	select {
	case sock.out <- frame{data: data}:
	case <-sock.ctx.Done():
	default:
		sock.metrics.SlowSocketClosed()
		sock.end(websocket.StatusPolicyViolation, sock.reconnect("client trop lent"))
	}
}

// source is what a socket's writer reads and writes besides what post hands it: a customer
// socket's conversation. ready receives when it may have news; next returns them as frames,
// or false when the socket must end (next has asked end).
type source interface {
	ready() <-chan struct{}
	next() ([]frame, bool)
}

// run is the socket's only writer, until the socket is over, writing what src (nil: none)
// has and what post hands it; the socket's context ends when it returns.
func (sock *socket) run(ping, timeout time.Duration, src source) {
	defer sock.cancel()
	t := time.NewTicker(ping)
	defer t.Stop()
	var ready <-chan struct{}
	if src != nil {
		ready = src.ready()
	}
	for {
		var err error
		select {
		case <-sock.ctx.Done():
			return
		case c := <-sock.closing:
			sock.conn.Close(c.code, c.reason)
			return
		case <-ready:
			frames, ok := src.next()
			if !ok {
				continue // it asked end: the next turn closes
			}
			err = sock.writeFrames(frames, timeout)
		case f := <-sock.out:
			err = sock.writeFrames([]frame{f}, timeout)
		case <-t.C:
			pctx, cancel := context.WithTimeout(sock.ctx, timeout)
			err = sock.conn.Ping(pctx)
			cancel()
		}
		if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
			sock.metrics.SlowSocketClosed() // the client could not take a write in time
		}
		if err != nil {
			sock.conn.CloseNow()
			return
		}
		if sock.ended {
			sock.conn.Close(websocket.StatusNormalClosure, "conversation terminée")
			return
		}
	}
}

// writeFrames writes frames in one write to the connection, within timeout.
func (sock *socket) writeFrames(frames []frame, timeout time.Duration) error {
	if len(frames) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(sock.ctx, timeout)
	defer cancel()
	sock.raw.hold()
	var err error
	for _, f := range frames {
		if err = sock.conn.Write(ctx, websocket.MessageText, f.data); err != nil {
			break
		}
		sock.ended = sock.ended || f.closed
	}
	if rerr := sock.raw.release(timeout); err == nil {
		err = rerr
	}
	if err == nil {
		sock.delivered.Store(frames[len(frames)-1].seq)
	}
	return err
}

// sockets are the websockets this instance holds, customers' and desks', closed together at
// shutdown.
type sockets struct {
	mu      sync.Mutex
	m       map[*socket]struct{}
	closing bool
	wg      sync.WaitGroup
}

func (ss *sockets) add(s *socket) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.closing {
		return false
	}
	ss.m[s] = struct{}{}
	ss.wg.Add(1)
	return true
}

func (ss *sockets) remove(s *socket) {
	ss.mu.Lock()
	delete(ss.m, s)
	ss.mu.Unlock()
	ss.wg.Done()
}

// closeAll closes every socket with "going away" and waits for their handlers, until ctx
// ends; then it drops the connections left.
func (ss *sockets) closeAll(ctx context.Context) {
	ss.mu.Lock()
	ss.closing = true
	all := make([]*socket, 0, len(ss.m))
	for s := range ss.m {
		all = append(all, s)
	}
	ss.mu.Unlock()
	for _, s := range all {
		s.end(websocket.StatusGoingAway, s.reconnect("redémarrage du serveur"))
	}
	done := make(chan struct{})
	go func() { ss.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		for _, s := range all {
			s.conn.CloseNow()
		}
	}
}
