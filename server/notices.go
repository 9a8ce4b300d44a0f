package server

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/handoff"
)

// noticeGroup is the consumer group, shared by every instance, that turns routing notices
// into conversation changes: each notice is applied by one instance only.
const noticeGroup = "relais-conversations"

// noticeBlock is how long one read of the notices waits for a new one: short, because a
// blocked read does not end with its context, and Close waits for the readers.
const noticeBlock = 250 * time.Millisecond

// noticeStream is the handoff package's notice stream. Its name is the package's: the
// {handoff} hash tag, then "notices".
func (s *Server) noticeStream() string { return s.store.Key("{handoff}") + ":notices" }

// createNoticeGroup creates the consumer group once; BUSYGROUP means another instance (or an
// earlier run) did.
func (s *Server) createNoticeGroup(ctx context.Context) error {
	err := s.store.Client.XGroupCreateMkStream(ctx, s.noticeStream(), noticeGroup, "$").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return err
	}
	return nil
}

// readNotices follows every notice from cur and pushes what concerns them to the agent
// sockets of this instance. Every instance reads every notice.
func (s *Server) readNotices(ctx context.Context, cur string) {
	for ctx.Err() == nil {
		notices, next, err := s.agents.router.Notices(ctx, cur, noticeBlock)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("lecture des notifications de routage", "err", err)
				pause(ctx, time.Second)
			}
			continue
		}
		cur = next
		s.deliver(ctx, notices)
	}
}

// deliver turns notices into websocket messages for the agents connected here.
func (s *Server) deliver(ctx context.Context, notices []handoff.Notice) {
	queueChanged := false
	for _, n := range notices {
		switch n.Kind {
		case handoff.NoticeOffered:
			s.deliverOffer(ctx, n)
		case handoff.NoticeOfferExpired, handoff.NoticeOfferRejected, handoff.NoticeOfferWithdrawn:
			s.sendTo(n.AgentID, envelope{Type: "offer_expired", TaskID: n.TaskID, ConversationID: n.ConversationID, Reason: string(n.Kind)})
		case handoff.NoticeAssigned:
			s.deliverAssigned(ctx, n.TaskID, n.AgentID)
		case handoff.NoticeTransferred:
			s.release(n)
			if n.To != "" {
				s.deliverAssigned(ctx, n.TaskID, n.To)
			}
		case handoff.NoticeClosed, handoff.NoticeHandedBack, handoff.NoticeCancelled, handoff.NoticeRequeued:
			s.release(n)
		case handoff.NoticeState:
			s.sendTo(n.AgentID, envelope{Type: "state", State: n.State, Label: n.State.Label()})
		case handoff.NoticeQueue:
			queueChanged = true
		case handoff.NoticeMessages:
			for _, sock := range s.agents.all() {
				sock.send(envelope{Type: "messages"})
			}
		}
	}
	if queueChanged && len(s.agents.all()) > 0 {
		if q, err := s.queueEnvelope(ctx); err == nil {
			for _, sock := range s.agents.all() {
				sock.send(q)
			}
		}
	}
}

func (s *Server) sendTo(agentID string, e envelope) {
	for _, sock := range s.agents.of(agentID) {
		sock.send(e)
	}
}

// deliverOffer sends an offer that is still pending to its agent's sockets here.
func (s *Server) deliverOffer(ctx context.Context, n handoff.Notice) {
	socks := s.agents.of(n.AgentID)
	if len(socks) == 0 {
		return
	}
	t, err := s.agents.router.Task(ctx, n.TaskID)
	if err != nil || t.State != handoff.TaskOffered || t.AgentID != n.AgentID {
		return // already answered, expired or withdrawn: a later notice says so
	}
	for _, sock := range socks {
		sock.send(envelope{Type: "offer", Task: &t, ExpiresAt: t.Deadline})
	}
}

// deliverAssigned gives a task still assigned to agent to their sockets here, with the
// transcript, after making sure the customer was told the agent joined.
func (s *Server) deliverAssigned(ctx context.Context, taskID, agentID string) {
	socks := s.agents.of(agentID)
	if len(socks) == 0 {
		return
	}
	t, err := s.agents.router.Task(ctx, taskID)
	if err != nil || t.State != handoff.TaskAssigned || t.AgentID != agentID {
		return
	}
	if err := s.joinConversation(ctx, t); err != nil {
		s.log.Warn("arrivée du conseiller", "conversation", t.ConversationID, "err", err)
	}
	for _, sock := range socks {
		s.assignTo(ctx, sock, t)
	}
}

// release tells the agent's sockets here that a conversation is no longer theirs.
func (s *Server) release(n handoff.Notice) {
	for _, sock := range s.agents.of(n.AgentID) {
		sock.unfollow(n.ConversationID)
		sock.send(envelope{Type: "released", TaskID: n.TaskID, ConversationID: n.ConversationID, Reason: string(n.Kind)})
	}
}

// consumeNotices is this instance's member of the consumer group: it applies the
// conversation changes of the notices it is given, and takes over those another instance
// left unacknowledged for Config.NoticeClaim (that instance is presumed dead).
func (s *Server) consumeNotices(ctx context.Context) {
	stream, client := s.noticeStream(), s.store.Client
	lastClaim := time.Time{}
	for ctx.Err() == nil {
		if time.Since(lastClaim) > s.cfg.NoticeClaim/3 {
			lastClaim = time.Now()
			msgs, _, err := client.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: stream, Group: noticeGroup,
				Consumer: s.agents.consumer, MinIdle: s.cfg.NoticeClaim, Start: "0-0", Count: 100}).Result()
			if err == nil && len(msgs) > 0 {
				s.applyNotices(ctx, msgs)
			}
		}
		res, err := client.XReadGroup(ctx, &redis.XReadGroupArgs{Group: noticeGroup, Consumer: s.agents.consumer,
			Streams: []string{stream, ">"}, Count: 100, Block: noticeBlock}).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("lecture du groupe de notifications", "err", err)
				if strings.HasPrefix(err.Error(), "NOGROUP") {
					s.createNoticeGroup(ctx)
				}
				pause(ctx, time.Second)
			}
			continue
		}
		for _, st := range res {
			s.applyNotices(ctx, st.Messages)
		}
	}
}

// applyNotices applies a batch and acknowledges what was applied; a failure stays pending
// and is retried after Config.NoticeClaim.
func (s *Server) applyNotices(ctx context.Context, msgs []redis.XMessage) {
	var done []string
	queueChanged := false
	for _, m := range msgs {
		if m.Values == nil { // trimmed from the stream meanwhile
			done = append(done, m.ID)
			continue
		}
		n := noticeOf(m)
		if n.Kind == handoff.NoticeQueue {
			queueChanged = true
			done = append(done, m.ID)
			continue
		}
		if err := s.changeConversation(ctx, n); err != nil {
			s.log.Warn("changement de conversation", "notice", n.ID, "kind", n.Kind, "err", err)
			continue
		}
		done = append(done, m.ID)
	}
	if queueChanged {
		if err := s.updatePositions(ctx); err != nil {
			s.log.Warn("positions dans la file", "err", err)
		}
	}
	if len(done) > 0 {
		if err := s.store.Client.XAck(ctx, s.noticeStream(), noticeGroup, done...).Err(); err != nil {
			s.log.Warn("acquittement des notifications", "err", err)
		}
	}
}

// noticeOf reads a notice stream entry, as written by the handoff scripts.
func noticeOf(m redis.XMessage) handoff.Notice {
	v := func(k string) string { s, _ := m.Values[k].(string); return s }
	n := handoff.Notice{ID: m.ID, Kind: handoff.NoticeKind(v("k")), TaskID: v("t"),
		ConversationID: v("c"), AgentID: v("a")}
	if n.Kind == handoff.NoticeTransferred {
		n.To = v("x")
	}
	return n
}
