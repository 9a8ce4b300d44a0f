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

// fetchBatch is how many events one stream read returns.
const fetchBatch = 100

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
	sock, done, err := s.accept(c, rmetrics.Customer, originPatterns(s.cfg.AllowedOrigins), s.cfg.SocketBuffer)
	if sock == nil {
		return err
	}
	defer done()
	sock.delivered.Store(after)
	sock.readNothing() // the customer sends through POST
	sub, err := s.hub.Subscribe(sock.ctx, id)
	if err != nil {
		sock.conn.Close(websocket.StatusTryAgainLater, "service indisponible, réessayez")
		return nil
	}
	defer sub.Close()
	go s.fetch(sock, id, sub, cursor{seq: after, entry: entry})
	sock.run(s.cfg.PingInterval, s.cfg.WriteTimeout)
	return nil
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
func (s *Server) fetch(sock *socket, id string, sub *conversation.Subscription, pos cursor) {
	ctx := sock.ctx
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
			err = s.conv.Verify(ctx, id, pos.seq, pos.entry)
			if apperr.CodeOf(err) == apperr.NotFound {
				sock.end(statusConversationGone, "conversation introuvable : elle a expiré, commencez-en une nouvelle")
				return
			}
			if err != nil && !errors.Is(err, conversation.ErrRolledBack) {
				continue // Redis unreachable: the next read says so
			}
		}
		if errors.Is(err, conversation.ErrRolledBack) {
			s.log.Warn("conversation en retard sur le client : recharge", "conversation", id, "seq", pos.seq)
			s.metrics.socketsReset.Add(1)
			pos = cursor{}
			sub.Wake()
			events, err = []conversation.Event{{Type: conversation.TypeReset, At: time.Now().UTC()}}, nil
		}
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("lecture des événements", "conversation", id, "err", err)
				sock.end(websocket.StatusTryAgainLater, sock.reconnect("service indisponible"))
			}
			return
		}
		if sock.push(s.frames(id, &pos, events), s.cfg.SlowTimeout) != nil {
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
