package server

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/coder/websocket"
	"github.com/labstack/echo/v4"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	rmetrics "github.com/relais/relais/metrics"
)

// statusConversationGone closes a customer socket whose conversation no longer exists
// (expired or removed): the widget offers a new one instead of reconnecting.
const statusConversationGone websocket.StatusCode = 4404

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
	if _, err := s.conv.Authorize(c.Request().Context(), id, token); err != nil {
		return err
	}
	return s.accept(c, rmetrics.Customer, originPatterns(s.cfg.AllowedOrigins), 0, func(sock *socket) {
		s.serveCustomer(sock, id, cursor{seq: after, entry: entry})
	})
}

// serveCustomer runs a customer's socket on conversation id from pos.
func (s *Server) serveCustomer(sock *socket, id string, pos cursor) {
	sock.delivered.Store(pos.seq)
	sock.readNothing() // the customer sends through POST
	sub, err := s.hub.Subscribe(sock.ctx, id)
	if err != nil {
		sock.conn.Close(websocket.StatusTryAgainLater, "service indisponible, réessayez")
		return
	}
	defer sub.Close()
	r := reader{conv: s.conv, id: id, sub: sub, pos: pos}
	sock.run(s.cfg.PingInterval, s.cfg.WriteTimeout, &feed{s: s, sock: sock, reader: r, check: pos.seq > 0})
}

// feed is a customer socket's conversation: each time its subscription wakes, the events
// after the last one read. Sequence numbers make the replay and the live events one ordered
// series: no gap, no duplicate; transient events (the bot's typing, no sequence number) pass
// between them.
//
// When the store no longer holds the client's last event (a Redis failover lost it, see
// conversation.ErrRolledBack), the client gets a "reset" event, then the whole transcript
// again: it drops what it shows, and never keeps events that no longer exist nor skips the
// new ones that reuse their numbers.
type feed struct {
	reader
	s     *Server
	sock  *socket
	check bool // verify the client's place before reading: a resuming client
}

func (f *feed) ready() <-chan struct{} { return f.sub.C }

func (f *feed) next() ([]frame, bool) {
	s, sock, ctx := f.s, f.sock, f.sock.ctx
	var events []conversation.Event
	var err error
	if f.check {
		f.check = false
		err = f.verify(ctx)
	}
	if err == nil {
		events, err = f.read(ctx)
	}
	switch {
	case apperr.CodeOf(err) == apperr.NotFound:
		sock.end(statusConversationGone, "conversation introuvable : elle a expiré, commencez-en une nouvelle")
		return nil, false
	case errors.Is(err, conversation.ErrRolledBack):
		s.log.Warn("conversation en retard sur le client : recharge", "conversation", f.id, "seq", f.pos.seq)
		s.metrics.socketsReset.Add(1)
		f.pos = cursor{}
		f.sub.Wake()
		return s.frames(f.id, &f.pos, []conversation.Event{{Type: conversation.TypeReset, At: time.Now().UTC()}}), true
	case err != nil:
		if ctx.Err() == nil {
			s.log.Warn("lecture des événements", "conversation", f.id, "err", err)
			sock.end(websocket.StatusTryAgainLater, sock.reconnect("service indisponible"))
		}
		return nil, false
	}
	return s.frames(f.id, &f.pos, events), true
}

// frames encodes events read after *pos, advancing it. A reset frame carries seq 0: the
// client's place goes back to the start.
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
		frames = append(frames, frame{seq: pos.seq, closed: ev.Type == conversation.TypeClosed, data: data})
	}
	return frames
}
