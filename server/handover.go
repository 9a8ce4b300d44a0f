package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/dialog"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/handoff/desk"
)

// noAgentText tells a queued customer that nobody is Prêt.
const noAgentText = "Aucun conseiller n'est disponible pour le moment. Vous pouvez patienter ou laisser un message : il sera transmis à nos conseillers."

// noAgentChoices are the quick replies of noAgentText; the widget handles both itself
// (« Laisser un message » opens the form that posts to /leave).
var noAgentChoices = []string{"Patienter", "Laisser un message"}

// routerQueue is the Queue of a server with a Router: the task enters the queue, then the
// customer is told their position.
type routerQueue struct{ s *Server }

var _ Queue = routerQueue{}

// Enqueue implements Queue.
func (q routerQueue) Enqueue(ctx context.Context, conversationID string, h dialog.Handoff) error {
	r := q.s.agents.router
	p := handoff.Priority(h.Priority)
	if p != handoff.PriorityHigh {
		p = handoff.PriorityNormal
	}
	customer, err := q.s.records.ConversationCustomer(ctx, conversationID)
	if err != nil {
		q.s.log.Warn("bureau : client de la conversation illisible", "conversation", conversationID, "err", err)
	}
	t, _, err := r.Enqueue(ctx, handoff.NewTask{ConversationID: conversationID, CustomerID: customer, Intent: h.Intent,
		Category: h.Category, Summary: h.Summary, Priority: p})
	if err != nil {
		return err
	}
	e, err := r.Position(ctx, t.ID)
	if err != nil {
		return err
	}
	return q.s.tellPosition(ctx, e)
}

// updatePositions tells every queued customer whose position or estimate moved.
func (s *Server) updatePositions(ctx context.Context) error {
	v, err := s.agents.router.Queue(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range v.Entries {
		errs = append(errs, s.tellPosition(ctx, e))
	}
	return errors.Join(errs...)
}

// tellPosition appends a queued event when the customer's position, estimate or the
// no-agent situation changed since they were last told (kept in Redis, so that every
// instance agrees), and the no-agent message when nobody is Prêt any more.
func (s *Server) tellPosition(ctx context.Context, e handoff.QueueEntry) error {
	if e.Position == 0 || e.Task.ConversationID == "" {
		return nil
	}
	id := e.Task.ConversationID
	val := fmt.Sprintf("%d:%d:%t", e.Position, e.WaitSeconds, e.NoAgent)
	old, err := s.store.Client.SetArgs(ctx, s.toldKey(id), val,
		redis.SetArgs{Get: true, TTL: 24 * time.Hour}).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return err
	}
	if old == val {
		return nil
	}
	events := []conversation.Event{{Type: conversation.TypeQueued, Position: e.Position, EstimatedWaitSeconds: e.WaitSeconds}}
	if e.NoAgent && !strings.HasSuffix(old, ":true") {
		events = append(events, conversation.Message(conversation.FromSystem, noAgentText, noAgentChoices))
	}
	_, err = s.conv.Append(ctx, id, events, conversation.AppendOptions{IfOwner: conversation.OwnerQueued})
	return ignoreGone(err)
}

// joinConversation gives the conversation of an assigned task to its agent and tells the
// customer, once: the owner must still be "queued", so a replay or a second instance does
// nothing.
func (s *Server) joinConversation(ctx context.Context, t handoff.Task) error {
	a, err := s.agents.accounts.Get(ctx, t.AgentID)
	if err != nil {
		return err
	}
	_, err = s.conv.Append(ctx, t.ConversationID,
		[]conversation.Event{{Type: conversation.TypeAgentJoined, Agent: a.Name}},
		conversation.AppendOptions{IfOwner: conversation.OwnerQueued, SetOwner: conversation.OwnerAgent})
	if err == nil {
		// Out of the queue: a later handoff of this conversation tells its position afresh.
		s.store.Client.Del(ctx, s.toldKey(t.ConversationID))
	}
	return ignoreGone(err)
}

// toldKey keeps what a queued customer was last told (position, estimate, no agent).
func (s *Server) toldKey(id string) string { return s.store.Key("conv", "{"+id+"}", "told") }

// changeConversation applies a routing notice to its conversation: owner and the events the
// customer sees. Each change is guarded by the owner it expects and by the conversation's
// live task, so a notice applied twice, or late, changes nothing.
func (s *Server) changeConversation(ctx context.Context, n handoff.Notice) error {
	r := s.agents.router
	// The command that ended the task ended its desk activity too, unless its process died
	// in between: ending it again here, from the notice applied once, is a no-op otherwise.
	s.endActivities(ctx, []handoff.Notice{n}, n.AgentID)
	switch n.Kind {
	case handoff.NoticeAssigned:
		t, err := r.Task(ctx, n.TaskID)
		if err != nil || t.State != handoff.TaskAssigned || t.AgentID != n.AgentID {
			return ignoreGone(err)
		}
		return s.joinConversation(ctx, t)
	case handoff.NoticeClosed:
		if s.staleNotice(ctx, n) {
			return nil
		}
		return s.appendIf(ctx, n.ConversationID, conversation.OwnerAgent, conversation.OwnerClosed,
			conversation.Event{Type: conversation.TypeClosed})
	case handoff.NoticeHandedBack:
		if s.staleNotice(ctx, n) {
			return nil
		}
		return s.appendIf(ctx, n.ConversationID, conversation.OwnerAgent, conversation.OwnerBot, s.agentLeft(ctx, n.AgentID))
	case handoff.NoticeRequeued, handoff.NoticeTransferred:
		return s.moveConversation(ctx, n)
	}
	return nil // cancelled: the customer's leave already closed the conversation
}

// moveConversation applies a transfer: to another agent (left, joined) or back to the queue
// (left, queued with the position).
func (s *Server) moveConversation(ctx context.Context, n handoff.Notice) error {
	t, err := s.agents.router.TaskOf(ctx, n.ConversationID)
	if err != nil || t.ID != n.TaskID {
		return ignoreGone(err)
	}
	left := s.agentLeft(ctx, n.AgentID)
	if n.To != "" {
		if t.AgentID != n.To {
			return nil
		}
		a, err := s.agents.accounts.Get(ctx, n.To)
		if err != nil {
			return ignoreGone(err)
		}
		return s.appendIf(ctx, n.ConversationID, conversation.OwnerAgent, "", left,
			conversation.Event{Type: conversation.TypeAgentJoined, Agent: a.Name})
	}
	if err := s.appendIf(ctx, n.ConversationID, conversation.OwnerAgent, conversation.OwnerQueued, left); err != nil {
		return err
	}
	s.store.Client.Del(ctx, s.toldKey(n.ConversationID))
	e, err := s.agents.router.Position(ctx, t.ID)
	if err != nil {
		return err
	}
	return s.tellPosition(ctx, e)
}

// staleNotice: the conversation has another live task than the notice's (it was handed to
// the bot and queued again since), so the notice no longer applies.
func (s *Server) staleNotice(ctx context.Context, n handoff.Notice) bool {
	t, err := s.agents.router.TaskOf(ctx, n.ConversationID)
	return err == nil && t.ID != n.TaskID
}

func (s *Server) agentLeft(ctx context.Context, agentID string) conversation.Event {
	ev := conversation.Event{Type: conversation.TypeAgentLeft}
	if a, err := s.agents.accounts.Get(ctx, agentID); err == nil {
		ev.Agent = a.Name
	}
	return ev
}

func (s *Server) appendIf(ctx context.Context, id string, ifOwner, setOwner conversation.Owner, events ...conversation.Event) error {
	_, err := s.conv.Append(ctx, id, events, conversation.AppendOptions{IfOwner: ifOwner, SetOwner: setOwner})
	return ignoreGone(err)
}

// ignoreGone treats a conversation or task that changed hands or disappeared as done.
func ignoreGone(err error) error {
	if errors.Is(err, conversation.ErrOwnerChanged) || apperr.CodeOf(err) == apperr.NotFound {
		return nil
	}
	return err
}

// leaveRequest is the optional body of POST .../leave.
type leaveRequest struct {
	Message string `json:"message"` // a message for the agents, when none was available
}

// leaveConversation is POST /api/v1/conversations/{id}/leave: the customer leaves; the
// conversation is closed and its task, if any, cancelled. With a message, the message is
// filed first for the desk (a request « Message laissé par le client »), so that a failure
// leaves the conversation open for a retry.
func (s *Server) leaveConversation(c echo.Context) error {
	var in leaveRequest
	if err := optionalJSON(c, &in); err != nil {
		return err
	}
	if in.Message != "" {
		if err := desk.CheckMessage(in.Message); err != nil {
			return err
		}
	}
	ctx := c.Request().Context()
	id := c.Param("id")
	owner, err := s.conv.Authorize(ctx, id, bearer(c))
	if err != nil {
		return err
	}
	if owner == conversation.OwnerClosed {
		return c.NoContent(http.StatusNoContent)
	}
	if in.Message != "" {
		if err := s.leaveMessage(ctx, id, in.Message); err != nil {
			return err
		}
	}
	// The message left stays in the transcript, just before the end, for the customer (a
	// reload shows it) and for the desk.
	events := []conversation.Event{{Type: conversation.TypeClosed}}
	if in.Message != "" {
		events = append([]conversation.Event{conversation.Message(conversation.FromCustomer, in.Message, nil)}, events...)
	}
	_, err = s.conv.Append(ctx, id, events,
		conversation.AppendOptions{IfOwner: owner, SetOwner: conversation.OwnerClosed})
	if err != nil {
		return err
	}
	if s.agents != nil {
		notices, err := s.agents.router.Cancel(ctx, id)
		if apperr.CodeOf(err) != apperr.NotFound && err != nil {
			return err
		}
		s.endActivities(ctx, notices, "")
	}
	return c.NoContent(http.StatusNoContent)
}

// endedFull passes err on; when it says that a write found conversation id at its cap
// (conversation.ErrFull: the store ended it), the conversation's task, if any, is cancelled
// first, as when the customer leaves: the agent who held it sees it end.
func (s *Server) endedFull(ctx context.Context, id string, err error) error {
	if !errors.Is(err, conversation.ErrFull) || s.agents == nil {
		return err
	}
	ctx = context.WithoutCancel(ctx)
	notices, cerr := s.agents.router.Cancel(ctx, id)
	if cerr != nil && apperr.CodeOf(cerr) != apperr.NotFound {
		s.log.Warn("tâche d'une conversation pleine", "conversation", id, "err", cerr)
	}
	s.endActivities(ctx, notices, "")
	return err
}

// leaveMessage files the customer's message for the desk, with what the conversation's task
// and signed identity say.
func (s *Server) leaveMessage(ctx context.Context, convID, text string) error {
	m := desk.LeftMessage{ConversationID: convID, Message: text}
	if s.agents != nil {
		t, err := s.agents.router.TaskOf(ctx, convID)
		if err != nil && apperr.CodeOf(err) != apperr.NotFound {
			return err
		}
		m.TaskID, m.CustomerID, m.Intent, m.Summary = t.ID, t.CustomerID, t.Intent, t.Summary
	}
	if m.CustomerID == "" {
		id, err := s.records.ConversationCustomer(ctx, convID)
		if err != nil {
			return err
		}
		m.CustomerID = id
	}
	in, err := s.records.LeaveMessage(ctx, m)
	if err != nil {
		return err
	}
	s.log.Info("message laissé pour le bureau", "conversation", convID, "request", in.Request.ID)
	s.announceMessages(ctx, convID)
	return nil
}
