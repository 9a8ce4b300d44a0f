package relay

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/handoff/desk"
)

// The handover, seen from the conversation: the routing scripts (package handoff) change the
// task and write a notice; the notice, applied here once by one process, changes the
// conversation's owner and tells the customer (queued with a position, agent joined, agent
// left, closed). Each change is guarded by the owner it expects and by the conversation's live
// task, so a notice applied twice, or late, changes nothing.

// noAgentText tells a queued customer that nobody is Prêt.
const noAgentText = "Aucun conseiller n'est disponible pour le moment. Vous pouvez patienter ou laisser un message : il sera transmis à nos conseillers."

// noAgentChoices are the quick replies of noAgentText; the widget handles both itself
// (« Laisser un message » opens the form that posts to /leave).
var noAgentChoices = []string{"Patienter", "Laisser un message"}

// apply applies a batch of notices the consumer group gave this process and returns the IDs
// of those that failed (they are given again later).
func (r *Relay) apply(ctx context.Context, notices []handoff.Notice) (failed []string) {
	queueChanged := false
	for _, n := range notices {
		r.obs.ObserveNotice(n, time.Since(n.At))
		if movesEstimates(n.Kind) {
			queueChanged = true
		}
		if n.Kind == handoff.NoticeQueue {
			continue
		}
		if err := r.change(ctx, n); err != nil {
			r.log.Warn("changement de conversation", "notice", n.ID, "kind", n.Kind, "err", err)
			failed = append(failed, n.ID)
		}
	}
	if queueChanged {
		r.positions.Changed()
	}
	return failed
}

// movesEstimates says whether a notice may change what queued customers were told: the queue
// itself, or the agents Prêt behind the estimates (an agent going Non prêt, away or back).
func movesEstimates(k handoff.NoticeKind) bool {
	switch k {
	case handoff.NoticeQueue, handoff.NoticeState, handoff.NoticeAgentDropped, handoff.NoticeAgentBack:
		return true
	}
	return false
}

// change applies one routing notice to its conversation.
func (r *Relay) change(ctx context.Context, n handoff.Notice) error {
	// The command that ended the task ended its desk activity too, unless its process died
	// in between: ending it again here, from the notice applied once, is a no-op otherwise.
	r.endActivities(ctx, []handoff.Notice{n}, n.AgentID)
	switch n.Kind {
	case handoff.NoticeAssigned:
		t, err := r.router.Task(ctx, n.TaskID)
		if err != nil || t.State != handoff.TaskAssigned || t.AgentID != n.AgentID {
			return ignoreGone(err)
		}
		if err := r.Join(ctx, t); err != nil {
			return err
		}
		r.obs.ObserveAssigned(t.AssignedAt.Sub(t.CreatedAt))
		return nil
	case handoff.NoticeClosed:
		if r.staleNotice(ctx, n) {
			return nil
		}
		return r.appendIf(ctx, n.ConversationID, conversation.OwnerAgent, conversation.OwnerClosed,
			conversation.Event{Type: conversation.TypeClosed, ReopenUntil: n.At.Add(r.router.ReopenWindow())})
	case handoff.NoticeHandedBack:
		if r.staleNotice(ctx, n) {
			return nil
		}
		return r.appendIf(ctx, n.ConversationID, conversation.OwnerAgent, conversation.OwnerBot, r.agentLeft(ctx, n.AgentID))
	case handoff.NoticeRequeued, handoff.NoticeTransferred:
		return r.move(ctx, n)
	}
	return nil // cancelled: the customer's leave already closed the conversation
}

// updatePositions tells every queued customer (among the first 500) whose position or
// estimate moved: one round trip compares what each was last told, then the customers told
// are written to at once (at most maxTelling appends at a time).
func (r *Relay) updatePositions(ctx context.Context) error {
	entries, err := r.router.Positions(ctx)
	if err != nil {
		return err
	}
	olds, err := r.swapTold(ctx, entries)
	if err != nil {
		return err
	}
	errs := make([]error, len(entries))
	sem := make(chan struct{}, maxTelling)
	var wg sync.WaitGroup
	for i, e := range entries {
		if olds[i] == toldValue(e) {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			_, errs[i] = r.tell(ctx, e, olds[i])
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// maxTelling bounds the position appends of one update that run at once.
const maxTelling = 32

// swapTold records what each listed customer is now told and returns what they were told
// before ("": nothing yet), in one round trip.
func (r *Relay) swapTold(ctx context.Context, entries []handoff.QueueEntry) ([]string, error) {
	p := r.st.Client.Pipeline()
	cmds := make([]*redis.StatusCmd, len(entries))
	for i, e := range entries {
		if e.Position == 0 || e.Task.ConversationID == "" {
			continue
		}
		cmds[i] = p.SetArgs(ctx, r.toldKey(e.Task.ConversationID), toldValue(e), redis.SetArgs{Get: true, TTL: toldTTL})
	}
	_, _ = p.Exec(ctx) // each command's error is read below
	olds := make([]string, len(entries))
	for i, c := range cmds {
		switch {
		case c == nil:
			olds[i] = toldValue(entries[i]) // nobody to tell
		case c.Err() != nil && !errors.Is(c.Err(), redis.Nil):
			return nil, c.Err()
		default:
			olds[i] = c.Val()
		}
	}
	return olds, nil
}

// toldTTL is how long what a queued customer was told is kept.
const toldTTL = 24 * time.Hour

// toldValue is what a queued customer is told: position, estimate, no agent.
func toldValue(e handoff.QueueEntry) string {
	return fmt.Sprintf("%d:%d:%t", e.Position, e.WaitSeconds, e.NoAgent)
}

// tellPosition appends a queued event when the customer's position, estimate or the
// no-agent situation changed since they were last told (without a position when every agent
// Prêt refused the task) (kept in Redis, so that every
// process agrees), and the no-agent message when nobody is Prêt any more; it returns them as
// stored.
func (r *Relay) tellPosition(ctx context.Context, e handoff.QueueEntry) ([]conversation.Event, error) {
	if e.Position == 0 || e.Task.ConversationID == "" {
		return nil, nil
	}
	val := toldValue(e)
	old, err := r.st.Client.SetArgs(ctx, r.toldKey(e.Task.ConversationID), val,
		redis.SetArgs{Get: true, TTL: toldTTL}).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	if old == val {
		return nil, nil
	}
	return r.tell(ctx, e, old)
}

// tell appends the queued event of e (and the no-agent message when nobody is Prêt any more
// and the customer was last told otherwise, old) to the customer's conversation.
func (r *Relay) tell(ctx context.Context, e handoff.QueueEntry, old string) ([]conversation.Event, error) {
	queued := conversation.Event{Type: conversation.TypeQueued, Position: e.Position, EstimatedWaitSeconds: e.WaitSeconds}
	if e.Refused {
		queued.Position = 0 // first in line, yet no agent Prêt will be offered it: « le prochain » would mislead
	}
	events := []conversation.Event{queued}
	if e.NoAgent && !strings.HasSuffix(old, ":true") {
		events = append(events, conversation.Message(conversation.FromSystem, noAgentText, noAgentChoices))
	}
	stored, err := r.conv.Append(ctx, e.Task.ConversationID, events, conversation.AppendOptions{IfOwner: conversation.OwnerQueued})
	return stored, ignoreGone(err)
}

// toldKey keeps what a queued customer was last told (position, estimate, no agent).
func (r *Relay) toldKey(id string) string { return r.st.Key("conv", "{"+id+"}", "told") }

// Join gives the conversation of an assigned task to its agent and tells the customer, once:
// the owner must still be "queued", so a replay or a second process does nothing.
func (r *Relay) Join(ctx context.Context, t handoff.Task) error {
	a, err := r.accounts.Get(ctx, t.AgentID)
	if err != nil {
		return err
	}
	_, err = r.conv.Append(ctx, t.ConversationID,
		[]conversation.Event{{Type: conversation.TypeAgentJoined, Agent: a.Name}},
		conversation.AppendOptions{IfOwner: conversation.OwnerQueued, SetOwner: conversation.OwnerAgent})
	if err == nil {
		// Out of the queue: a later handoff of this conversation tells its position afresh.
		r.st.Client.Del(ctx, r.toldKey(t.ConversationID))
	}
	return ignoreGone(err)
}

// move applies a transfer: to another agent (left, joined) or back to the queue (left,
// queued with the position).
func (r *Relay) move(ctx context.Context, n handoff.Notice) error {
	t, err := r.router.TaskOf(ctx, n.ConversationID)
	if err != nil || t.ID != n.TaskID {
		return ignoreGone(err)
	}
	left := r.agentLeft(ctx, n.AgentID)
	if n.To != "" {
		if t.AgentID != n.To {
			return nil
		}
		a, err := r.accounts.Get(ctx, n.To)
		if err != nil {
			return ignoreGone(err)
		}
		return r.appendIf(ctx, n.ConversationID, conversation.OwnerAgent, "", left,
			conversation.Event{Type: conversation.TypeAgentJoined, Agent: a.Name})
	}
	if err := r.appendIf(ctx, n.ConversationID, conversation.OwnerAgent, conversation.OwnerQueued, left); err != nil {
		return err
	}
	r.st.Client.Del(ctx, r.toldKey(n.ConversationID))
	e, err := r.router.Position(ctx, t.ID)
	if err != nil {
		return err
	}
	_, err = r.tellPosition(ctx, e)
	return err
}

// staleNotice: the conversation has another live task than the notice's (it was handed to
// the bot and queued again since), so the notice no longer applies.
func (r *Relay) staleNotice(ctx context.Context, n handoff.Notice) bool {
	t, err := r.router.TaskOf(ctx, n.ConversationID)
	return err == nil && t.ID != n.TaskID
}

func (r *Relay) agentLeft(ctx context.Context, agentID string) conversation.Event {
	ev := conversation.Event{Type: conversation.TypeAgentLeft}
	if a, err := r.accounts.Get(ctx, agentID); err == nil {
		ev.Agent = a.Name
	}
	return ev
}

func (r *Relay) appendIf(ctx context.Context, id string, ifOwner, setOwner conversation.Owner, events ...conversation.Event) error {
	_, err := r.conv.Append(ctx, id, events, conversation.AppendOptions{IfOwner: ifOwner, SetOwner: setOwner})
	return ignoreGone(err)
}

// ignoreGone treats a conversation or task that changed hands or disappeared as done.
func ignoreGone(err error) error {
	if errors.Is(err, conversation.ErrOwnerChanged) || apperr.CodeOf(err) == apperr.NotFound {
		return nil
	}
	return err
}

// Leave closes conversation id for its customer (token) and cancels its task, if any. With a
// message (already checked), the message is filed first for the desk (a request « Message
// laissé par le client »), so that a failure leaves the conversation open for a retry.
func (r *Relay) Leave(ctx context.Context, id, token, message, contact string) error {
	owner, err := r.conv.Authorize(ctx, id, token)
	if err != nil {
		return err
	}
	if owner == conversation.OwnerClosed {
		return nil
	}
	if message != "" {
		if err := r.leaveMessage(ctx, id, message, contact); err != nil {
			return err
		}
	}
	// The message left stays in the transcript, just before the end, for the customer (a
	// reload shows it) and for the desk.
	events := []conversation.Event{{Type: conversation.TypeClosed}}
	if message != "" {
		events = append([]conversation.Event{conversation.Message(conversation.FromCustomer, message, nil)}, events...)
	}
	_, err = r.conv.Append(ctx, id, events, conversation.AppendOptions{IfOwner: owner, SetOwner: conversation.OwnerClosed})
	if err != nil {
		return err
	}
	if r.router == nil {
		return nil
	}
	notices, err := r.router.Cancel(ctx, id)
	if err != nil && apperr.CodeOf(err) != apperr.NotFound {
		return err
	}
	r.endActivities(ctx, notices, "")
	return nil
}

// endedFull passes err on; when it says that a write found conversation id at its cap
// (conversation.ErrFull: the store ended it), the conversation's task, if any, is cancelled
// first, as when the customer leaves: the agent who held it sees it end.
func (r *Relay) endedFull(ctx context.Context, id string, err error) error {
	if !errors.Is(err, conversation.ErrFull) || r.router == nil {
		return err
	}
	ctx = context.WithoutCancel(ctx)
	notices, cerr := r.router.Cancel(ctx, id)
	if cerr != nil && apperr.CodeOf(cerr) != apperr.NotFound {
		r.log.Warn("tâche d'une conversation pleine", "conversation", id, "err", cerr)
	}
	r.endActivities(ctx, notices, "")
	return err
}

// leaveMessage files the customer's message for the desk, with what the conversation's task
// and signed identity say; an anonymous customer's contact is required (desk.CheckContact),
// a known customer's kept when given.
func (r *Relay) leaveMessage(ctx context.Context, convID, text, contact string) error {
	m := desk.LeftMessage{ConversationID: convID, Message: text}
	if r.router != nil {
		t, err := r.router.TaskOf(ctx, convID)
		if err != nil && apperr.CodeOf(err) != apperr.NotFound {
			return err
		}
		m.TaskID, m.CustomerID, m.Intent, m.Summary = t.ID, t.CustomerID, t.Intent, t.Summary
	}
	if m.CustomerID == "" {
		id, err := r.records.ConversationCustomer(ctx, convID)
		if err != nil {
			return err
		}
		m.CustomerID = id
	}
	if m.CustomerID == "" || contact != "" {
		var err error
		if m.Contact, err = desk.CheckContact(contact); err != nil {
			return err
		}
	}
	in, err := r.records.LeaveMessage(ctx, m)
	if err != nil {
		return err
	}
	r.log.Info("message laissé pour le bureau", "conversation", convID, "request", in.Request.ID)
	r.AnnounceMessages(ctx, convID)
	return nil
}

// AnnounceMessages tells every desk that the left messages changed; the desks load the list
// again. A failure is logged: the desks also reload on focus.
func (r *Relay) AnnounceMessages(ctx context.Context, convID string) {
	if r.router == nil {
		return
	}
	if err := r.router.Announce(ctx, handoff.NoticeMessages, convID); err != nil {
		r.log.Warn("bureau : annonce des messages laissés", "conversation", convID, "err", err)
	}
}

// endActivities ends the desk activities of the tasks the notices closed, handed back or
// cancelled; a failure is logged.
func (r *Relay) endActivities(ctx context.Context, notices []handoff.Notice, by string) {
	for _, n := range notices {
		switch n.Kind {
		case handoff.NoticeClosed, handoff.NoticeHandedBack, handoff.NoticeCancelled:
		default:
			continue
		}
		if _, err := r.records.EndActivity(ctx, n.TaskID, by); err != nil && !errors.Is(err, desk.ErrNoInteraction) {
			r.log.Warn("bureau : fin d'activité non enregistrée", "task", n.TaskID, "err", err)
		}
	}
}
