package server

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/labstack/echo/v4"

	rmetrics "github.com/relais/relais/metrics"
)

// socket is one open websocket, a customer's or a desk's. Everything it sends goes through
// out to its one writer (run), which writes the frames of one read in one write (batchConn),
// every write with a deadline, pings on a timer, and closes the connection when end asks or
// after the frame that ends the conversation. Producers hand it frames in one of two ways:
// push waits for room (a customer's own reader: a client that takes nothing for the slow
// timeout is closed), post does not (the notice reader serves every desk: a desk whose buffer
// is full is closed).
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
	slow      *time.Timer // push's, made on its first wait
}

// frame is one message ready to write.
type frame struct {
	seq    int64 // customer sockets: the client's place once this frame is written
	closed bool  // the conversation ended: the socket closes after this frame
	more   bool  // more frames of the same read follow: written together with this one
	data   []byte
}

// closing is a request to close a socket with a status.
type closing struct {
	code   websocket.StatusCode
	reason string
}

// accept upgrades the request to a websocket of side, accepted from origins (none: the
// server's own pages only), counted against the client's address and among the sockets this
// instance closes at shutdown. A nil socket means the request has been answered: err, or a
// refused upgrade, or a server shutting down. Otherwise done must be called once the socket
// is over.
func (s *Server) accept(c echo.Context, side rmetrics.Side, origins []string, buffer int) (sock *socket, done func(), err error) {
	release, err := s.takeSocket(c)
	if err != nil {
		return nil, nil, err
	}
	r := c.Request()
	w := &batchHijacker{ResponseWriter: c.Response()}
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: origins})
	if err != nil {
		release()
		s.logger(c).Info("websocket refusée", "err", err)
		return nil, nil, nil // Accept has answered
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	sock = &socket{conn: conn, raw: w.conn, side: side, out: make(chan frame, buffer),
		closing: make(chan closing, 1), ctx: ctx, cancel: cancel, metrics: s.metrics.m}
	if !s.sockets.add(sock) {
		conn.Close(websocket.StatusGoingAway, "serveur en cours d'arrêt")
		cancel()
		release()
		return nil, nil, nil
	}
	s.metrics.m.SocketOpened(side)
	return sock, func() {
		cancel()
		conn.CloseNow()
		s.sockets.remove(sock)
		s.metrics.m.SocketClosed(side)
		release()
	}, nil
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

// errSlow is push's answer when the client could not keep up.
var errSlow = errors.New("server: client trop lent")

// push hands frames to the writer in order, waiting for room up to slow each: a client that
// takes nothing for that long cannot keep up, and is closed with "policy violation" (it
// resumes with after=). It closes the connection itself, since the writer is stuck.
func (sock *socket) push(frames []frame, slow time.Duration) error {
	for _, f := range frames {
		select {
		case sock.out <- f:
			continue
		default:
		}
		if sock.slow == nil {
			sock.slow = time.NewTimer(slow)
		} else {
			sock.slow.Reset(slow)
		}
		select {
		case sock.out <- f:
			sock.slow.Stop()
		case <-sock.ctx.Done():
			return sock.ctx.Err()
		case <-sock.slow.C:
			sock.metrics.SlowSocketClosed()
			sock.conn.Close(websocket.StatusPolicyViolation, sock.reconnect("client trop lent"))
			return errSlow
		}
	}
	return nil
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

// run is the socket's only writer, until the socket is over; the socket's context ends when
// it returns.
func (sock *socket) run(ping, timeout time.Duration) {
	defer sock.cancel()
	t := time.NewTicker(ping)
	defer t.Stop()
	for {
		select {
		case <-sock.ctx.Done():
			return
		case c := <-sock.closing:
			sock.conn.Close(c.code, c.reason)
			return
		case f := <-sock.out:
			f, err := sock.writeBatch(f, timeout)
			if err != nil {
				sock.conn.CloseNow()
				return
			}
			if f.closed {
				sock.conn.Close(websocket.StatusNormalClosure, "conversation terminée")
				return
			}
		case <-t.C:
			pctx, cancel := context.WithTimeout(sock.ctx, timeout)
			err := sock.conn.Ping(pctx)
			cancel()
			if err != nil {
				sock.conn.CloseNow()
				return
			}
		}
	}
}

// writeBatch writes f and the frames of the same read that follow it, in one write to the
// connection, and returns the last frame written.
func (sock *socket) writeBatch(f frame, timeout time.Duration) (frame, error) {
	sock.raw.hold()
	err := sock.write(f, timeout)
	for err == nil && f.more && !f.closed {
		select {
		case f = <-sock.out:
			err = sock.write(f, timeout)
		case <-sock.ctx.Done():
			err = sock.ctx.Err()
		}
	}
	if rerr := sock.raw.release(timeout); err == nil {
		err = rerr
	}
	if err != nil {
		return f, err
	}
	sock.delivered.Store(f.seq)
	return f, nil
}

func (sock *socket) write(f frame, timeout time.Duration) error {
	wctx, cancel := context.WithTimeout(sock.ctx, timeout)
	defer cancel()
	return sock.conn.Write(wctx, websocket.MessageText, f.data)
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
