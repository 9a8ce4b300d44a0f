package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/labstack/echo/v4"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
)

// fetchBatch is how many events one stream read returns.
const fetchBatch = 100

// statusConversationGone closes a customer socket whose conversation no longer exists
// (expired or removed): the widget offers a new one instead of reconnecting.
const statusConversationGone websocket.StatusCode = 4404

// socket is one open customer websocket.
type socket struct {
	conn      *websocket.Conn
	raw       *batchConn // under conn: the frames of one batch of events leave together
	id        string
	delivered atomic.Int64 // the last sequence number written to the client
	entry     string       // the stream entry of the client's last event, when it said (after=SEQ-TAG)
}

// sockets are the websockets this instance holds, closed together at shutdown.
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

// closeAll closes every socket with "going away" and waits for their handlers, until ctx ends.
func (ss *sockets) closeAll(ctx context.Context) {
	ss.mu.Lock()
	ss.closing = true
	all := make([]*socket, 0, len(ss.m))
	for s := range ss.m {
		all = append(all, s)
	}
	ss.mu.Unlock()
	for _, s := range all {
		go s.conn.Close(websocket.StatusGoingAway, fmt.Sprintf("redémarrage du serveur : reconnectez-vous avec after=%d", s.delivered.Load()))
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

// openSocket is GET /api/v1/conversations/{id}/ws?token=…&after=SEQ: the events after SEQ,
// then the new ones as they come, from whichever instance appends them.
func (s *Server) openSocket(c echo.Context) error {
	after, entry, err := parsePosition(c.QueryParam("after"))
	if err != nil {
		return err
	}
	token := c.QueryParam("token")
	if token == "" {
		token = bearer(c)
	}
	id := c.Param("id")
	r := c.Request()
	if _, err := s.conv.Authorize(r.Context(), id, token); err != nil {
		return err
	}
	release, err := s.takeSocket(c)
	if err != nil {
		return err
	}
	defer release()
	w := &batchHijacker{ResponseWriter: c.Response()}
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		OriginPatterns: originPatterns(s.cfg.AllowedOrigins),
	})
	if err != nil {
		s.logger(c).Info("websocket refusée", "err", err)
		return nil // Accept has answered
	}
	sock := &socket{conn: conn, raw: w.conn, id: id, entry: entry}
	sock.delivered.Store(after)
	if !s.sockets.add(sock) {
		conn.Close(websocket.StatusGoingAway, "serveur en cours d'arrêt")
		return nil
	}
	defer s.sockets.remove(sock)
	s.metrics.sockets.Add(1)
	defer s.metrics.sockets.Add(-1)
	s.pump(context.WithoutCancel(r.Context()), sock)
	return nil
}

// frame is one event ready to write.
type frame struct {
	seq    int64
	closed bool
	more   bool // more frames of the same read follow: written together with this one
	data   []byte
}

// pump runs the socket: a fetcher reads the stream into a bounded buffer when the Hub wakes
// it, and this goroutine, the socket's only writer, writes with a deadline and pings.
func (s *Server) pump(ctx context.Context, sock *socket) {
	ctx = sock.conn.CloseRead(ctx) // the customer sends through POST; this reads pongs and close
	sub, err := s.hub.Subscribe(ctx, sock.id)
	if err != nil {
		sock.conn.Close(websocket.StatusTryAgainLater, "service indisponible, réessayez")
		return
	}
	defer sub.Close()
	out := make(chan frame, s.cfg.SocketBuffer)
	go s.fetch(ctx, sock, sub, out)
	ping := time.NewTicker(s.cfg.PingInterval)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case f := <-out:
			f, err := s.writeBatch(ctx, sock, f, out)
			if err != nil {
				sock.conn.CloseNow()
				return
			}
			if f.closed {
				sock.conn.Close(websocket.StatusNormalClosure, "conversation terminée")
				return
			}
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, s.cfg.WriteTimeout)
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
func (s *Server) writeBatch(ctx context.Context, sock *socket, f frame, out <-chan frame) (frame, error) {
	sock.raw.hold()
	err := s.write(ctx, sock, f)
	for err == nil && f.more && !f.closed {
		select {
		case f = <-out:
			err = s.write(ctx, sock, f)
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	if rerr := sock.raw.release(s.cfg.WriteTimeout); err == nil {
		err = rerr
	}
	if err != nil {
		return f, err
	}
	sock.delivered.Store(f.seq)
	return f, nil
}

func (s *Server) write(ctx context.Context, sock *socket, f frame) error {
	wctx, cancel := context.WithTimeout(ctx, s.cfg.WriteTimeout)
	defer cancel()
	return sock.conn.Write(wctx, websocket.MessageText, f.data)
}

// fetch reads the events after the last one fetched each time sub wakes it. Sequence numbers
// make the replay and the live events one ordered series: no gap, no duplicate; transient
// events (the bot's typing, no sequence number) pass between them. When the writer cannot
// take an event within SlowTimeout, the client is too slow: it is closed with "policy
// violation" and resumes with after=.
//
// When the store no longer holds the client's last event (a Redis failover lost it, see
// conversation.ErrRolledBack), the client gets a "reset" event, then the whole transcript
// again: it drops what it shows, and never keeps events that no longer exist nor skips the
// new ones that reuse their numbers.
func (s *Server) fetch(ctx context.Context, sock *socket, sub *conversation.Subscription, out chan<- frame) {
	pos := cursor{seq: sock.delivered.Load(), entry: sock.entry}
	slow := time.NewTimer(s.cfg.SlowTimeout)
	defer slow.Stop()
	send := func(frames []frame) bool {
		for _, f := range frames {
			slow.Reset(s.cfg.SlowTimeout)
			select {
			case out <- f:
			case <-ctx.Done():
				return false
			case <-slow.C:
				s.metrics.socketsSlow.Add(1)
				sock.conn.Close(websocket.StatusPolicyViolation, fmt.Sprintf("client trop lent : reconnectez-vous avec after=%d", sock.delivered.Load()))
				return false
			}
		}
		return true
	}
	check := pos.seq > 0 // a resuming client: is its last event still there?
	for {
		var events []conversation.Event
		var err error
		if !check {
			events, err = sub.NextAfter(ctx, pos.seq, pos.entry, fetchBatch)
		}
		if check || err == nil && len(events) == 0 {
			// A wake with nothing new (the Hub's safety poll wakes every socket regularly) is
			// when a socket checks: a conversation that expires, or is rolled back, announces
			// nothing.
			check = false
			err = s.conv.Verify(ctx, sock.id, pos.seq, pos.entry)
			if apperr.CodeOf(err) == apperr.NotFound {
				sock.conn.Close(statusConversationGone, "conversation introuvable : elle a expiré, commencez-en une nouvelle")
				return
			}
			if err != nil && !errors.Is(err, conversation.ErrRolledBack) {
				continue // Redis unreachable: the next read says so
			}
		}
		if errors.Is(err, conversation.ErrRolledBack) {
			s.log.Warn("conversation en retard sur le client : recharge", "conversation", sock.id, "seq", pos.seq)
			s.metrics.socketsReset.Add(1)
			pos = cursor{}
			sub.Wake()
			if !send(s.frames(sock.id, &pos, []conversation.Event{{Type: conversation.TypeReset, At: time.Now().UTC()}})) {
				return
			}
			continue
		}
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("lecture des événements", "conversation", sock.id, "err", err)
				sock.conn.Close(websocket.StatusTryAgainLater, fmt.Sprintf("service indisponible : reconnectez-vous avec after=%d", sock.delivered.Load()))
			}
			return
		}
		if !send(s.frames(sock.id, &pos, events)) {
			return
		}
	}
}

// cursor is a reader's place: its last event's seq and stream entry.
type cursor struct {
	seq   int64
	entry string
}

// frames encodes events read after *pos, advancing it; all but the last frame say more
// follow, so that the writer sends them together. A reset frame carries seq 0: the client's
// place goes back to the start.
func (s *Server) frames(id string, pos *cursor, events []conversation.Event) []frame {
	frames := make([]frame, 0, len(events))
	for _, ev := range events {
		data, err := json.Marshal(ev)
		if err != nil {
			s.log.Error("encodage d'un événement", "conversation", id, "seq", ev.Seq, "err", err)
			continue
		}
		if ev.Seq > pos.seq { // a transient event (Seq 0) leaves the position as it is
			*pos = cursor{seq: ev.Seq, entry: ev.ID}
		}
		frames = append(frames, frame{seq: pos.seq, closed: ev.Type == conversation.TypeClosed, more: true, data: data})
	}
	if n := len(frames); n > 0 {
		frames[n-1].more = false
	}
	return frames
}
