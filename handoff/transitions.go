package handoff

import (
	"context"
	"strings"
	"time"
)

// Enqueue puts a conversation in the queue and offers it at once when an agent is available.
// A conversation has at most one live task: enqueueing it again returns that task and no
// notice, so a retry is harmless.
func (r *Router) Enqueue(ctx context.Context, n NewTask) (Task, []Notice, error) {
	if err := n.validate(); err != nil {
		return Task{}, nil, err
	}
	id := newID()
	keys := []string{r.prefix + "conv:" + n.ConversationID, r.prefix + "task:" + id, r.convTasksKey(n.ConversationID)}
	res, err := r.run(ctx, enqueueScript, keys, id, n.ConversationID, n.CustomerID, n.Intent,
		n.Category, n.Summary, string(n.Priority), queueScore(n.Priority, r.opts.Now()))
	if err != nil {
		return Task{}, nil, err
	}
	return taskFromHash(res.task), res.notices, nil
}

// SetState switches agent between Prêt and Non prêt. Prêt needs a connected desk; Non prêt
// withdraws a pending offer (the task goes to the next agent).
func (r *Router) SetState(ctx context.Context, agentID string, s AgentState) ([]Notice, error) {
	if _, err := ParseState(string(s)); err != nil {
		return nil, err
	}
	res, err := r.run(ctx, setStateScript, r.agentKeys(agentID)[:1], agentID, string(s))
	return res.notices, err
}

// Connect records a desk socket of agent (socketID unique per socket) and renews its lease;
// call it on connection and then on a timer well within Options.SocketLease. An agent Hors
// ligne becomes Non prêt; an agent back within the drop grace keeps state and conversations.
func (r *Router) Connect(ctx context.Context, agentID, socketID string) ([]Notice, error) {
	res, err := r.run(ctx, connectScript, r.agentKeys(agentID)[:1], agentID, socketID)
	return res.notices, err
}

// DeskSocket names one desk socket of an agent, as Connect was told it.
type DeskSocket struct{ AgentID, SocketID string }

// Renew is the heartbeat of several desk sockets at once (one process's): their leases are
// renewed in one step, without the routing's other work. It returns those it could not renew:
// dropped by a sweep once their lease ended (Connect them again) or whose agent no longer
// exists.
func (r *Router) Renew(ctx context.Context, socks []DeskSocket) ([]DeskSocket, error) {
	if len(socks) == 0 {
		return nil, nil
	}
	keys := make([]string, 0, len(socks)+1)
	args := make([]any, 0, len(socks)+1)
	keys = append(keys, r.prefix+"sockets")
	args = append(args, r.opts.Now().Add(r.opts.SocketLease).UnixMilli())
	for _, s := range socks {
		keys = append(keys, r.agentKeys(s.AgentID)[0])
		args = append(args, s.AgentID+"|"+s.SocketID)
	}
	missing, err := renewScript.Run(ctx, r.st.Client, keys, args...).StringSlice()
	if err != nil {
		return nil, unavailable(err)
	}
	out := make([]DeskSocket, 0, len(missing))
	for _, m := range missing {
		a, s, _ := strings.Cut(m, "|")
		out = append(out, DeskSocket{AgentID: a, SocketID: s})
	}
	return out, nil
}

// Disconnect forgets a desk socket. When it was the agent's last, their pending offer is
// withdrawn and the drop grace starts (see Sweep).
func (r *Router) Disconnect(ctx context.Context, agentID, socketID string) ([]Notice, error) {
	res, err := r.run(ctx, disconnectScript, r.agentKeys(agentID)[:1], agentID, socketID)
	return res.notices, err
}

// Offer offers the waiting tasks to the available agents. Every transition already does it;
// Offer is for a caller that wants to be sure, and is harmless.
func (r *Router) Offer(ctx context.Context) ([]Notice, error) {
	res, err := r.run(ctx, offerScript, nil)
	return res.notices, err
}

// Accept gives the task offered to agent to them, within the offer's deadline. Too late:
// ErrExpired (and the agent becomes Non prêt, the task goes to the next agent); offered to
// someone else or not offered: ErrNotOffered; already assigned: ErrTaken.
func (r *Router) Accept(ctx context.Context, agentID, taskID string) (Task, []Notice, error) {
	res, err := r.run(ctx, acceptScript, append(r.agentKeys(agentID), r.prefix+"task:"+taskID), agentID, taskID)
	return taskFromHash(res.task), res.notices, err
}

// Reject refuses the task offered to agent: it goes to the next agent and is never offered
// to this one again (they may still pick it).
func (r *Router) Reject(ctx context.Context, agentID, taskID string) ([]Notice, error) {
	res, err := r.run(ctx, rejectScript, []string{r.prefix + "agent:" + agentID,
		r.prefix + "task:" + taskID, r.prefix + "task:" + taskID + ":rejected"}, agentID, taskID)
	return res.notices, err
}

// Pick lets a connected agent, Prêt or Non prêt, take a waiting task from the queue (pull),
// within their capacity; a task offered to another agent cannot be picked meanwhile.
func (r *Router) Pick(ctx context.Context, agentID, taskID string) (Task, []Notice, error) {
	res, err := r.run(ctx, pickScript, append(r.agentKeys(agentID), r.prefix+"task:"+taskID), agentID, taskID)
	return taskFromHash(res.task), res.notices, err
}

// Close ends the agent's conversation: the task is closed and the agent's slot is free.
func (r *Router) Close(ctx context.Context, agentID, conversationID string) ([]Notice, error) {
	res, err := r.run(ctx, closeScript, r.convAgentKeys(conversationID, agentID), agentID, conversationID, "closed")
	return res.notices, err
}

// HandBack gives the agent's conversation back to the bot: the task is closed with outcome
// handed_back; the caller sets the conversation's owner back to the bot.
func (r *Router) HandBack(ctx context.Context, agentID, conversationID string) ([]Notice, error) {
	res, err := r.run(ctx, closeScript, r.convAgentKeys(conversationID, agentID), agentID, conversationID, "handed_back")
	return res.notices, err
}

// Transfer hands the agent's conversation to another connected agent with room for it
// (assigned at once), or, with toAgentID "", puts it back at the head of the queue.
func (r *Router) Transfer(ctx context.Context, agentID, conversationID, toAgentID string) (Task, []Notice, error) {
	res, err := r.run(ctx, transferScript,
		append(r.convAgentKeys(conversationID, agentID), r.agentKeys(toAgentID)...), agentID, conversationID, toAgentID)
	return taskFromHash(res.task), res.notices, err
}

// Reopen gives the agent back the task they closed, within Options.ReopenWindow of the
// close, unless the conversation has another live task or the agent has no room (see
// scripts/reopen.lua for the refusals). The task is assigned again: an assigned notice.
func (r *Router) Reopen(ctx context.Context, agentID, taskID string) (Task, []Notice, error) {
	res, err := r.run(ctx, reopenScript, append(r.agentKeys(agentID), r.prefix+"task:"+taskID),
		agentID, taskID, r.opts.ReopenWindow.Milliseconds())
	return taskFromHash(res.task), res.notices, err
}

// ReopenWindow is how long after a close its agent may reopen it.
func (r *Router) ReopenWindow() time.Duration { return r.opts.ReopenWindow }

// Cancel ends the conversation's task because the customer left: removed from the queue,
// its offer withdrawn, or its agent's slot freed.
func (r *Router) Cancel(ctx context.Context, conversationID string) ([]Notice, error) {
	res, err := r.run(ctx, cancelScript, []string{r.prefix + "conv:" + conversationID}, conversationID)
	return res.notices, err
}

// Sweep applies what is due: expired offers, lost sockets and drop graces that ended. Every
// instance may run it as often as it likes; each expiry is applied once.
func (r *Router) Sweep(ctx context.Context) ([]Notice, error) {
	var all []Notice
	for {
		res, err := r.run(ctx, sweepScript, nil, sweepBatch)
		all = append(all, res.notices...)
		if err != nil || atoi(res.detail, 0) < sweepBatch {
			return all, err
		}
	}
}

// sweepBatch bounds the work of one sweep script, so that Redis stays responsive.
const sweepBatch = 100

// RunSweeper calls Sweep every interval until ctx ends, handing the notices to fn (which
// must not block for long) and errors to onErr.
func (r *Router) RunSweeper(ctx context.Context, every time.Duration, fn func([]Notice), onErr func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			notices, err := r.Sweep(ctx)
			if len(notices) > 0 && fn != nil {
				fn(notices)
			}
			if err != nil && ctx.Err() == nil && onErr != nil {
				onErr(err)
			}
		}
	}
}
