package server

import (
	"context"
	"time"

	"github.com/relais/relais/handoff"
)

// noticeBlock is how long one read of the notices waits for a new one: short, because a
// blocked read does not end with its context, and Close waits for the readers.
const noticeBlock = 250 * time.Millisecond

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
	if err := s.relay.Join(ctx, t); err != nil {
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
