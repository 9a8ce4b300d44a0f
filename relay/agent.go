package relay

import (
	"context"
	"errors"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/handoff/desk"
)

// ErrNotYours refuses an agent's command on a conversation they do not hold.
var ErrNotYours = apperr.New(apperr.Forbidden, "Cette conversation ne vous est pas attribuée.")

// Command is what an agent's desk asks (the agent websocket's commands).
type Command struct {
	Type           string `json:"type"`
	State          string `json:"state"`
	TaskID         string `json:"task_id"`
	ConversationID string `json:"conversation_id"`
	Text           string `json:"text"`     // message: already checked by the caller
	AgentID        string `json:"agent_id"` // transfer: the agent to hand over to; "" back to the queue
}

// Do runs one command of agent's desk. Accepting and picking file nothing here: the
// « assigned » delivery files the desk activity (Attach).
func (r *Relay) Do(ctx context.Context, agent handoff.Agent, cmd Command) error {
	rt, id := r.router, agent.ID
	var err error
	switch cmd.Type {
	case "set_state":
		var st handoff.AgentState
		if st, err = handoff.ParseState(cmd.State); err == nil {
			_, err = rt.SetState(ctx, id, st)
		}
	case "accept":
		_, _, err = rt.Accept(ctx, id, cmd.TaskID)
	case "reject":
		_, err = rt.Reject(ctx, id, cmd.TaskID)
	case "pick":
		_, _, err = rt.Pick(ctx, id, cmd.TaskID)
	case "close":
		var notices []handoff.Notice
		notices, err = rt.Close(ctx, id, cmd.ConversationID)
		r.endActivities(ctx, notices, id)
	case "transfer":
		var t handoff.Task
		if t, _, err = rt.Transfer(ctx, id, cmd.ConversationID, cmd.AgentID); err == nil {
			r.transferActivity(ctx, t, id)
		}
	case "hand_back":
		var notices []handoff.Notice
		notices, err = rt.HandBack(ctx, id, cmd.ConversationID)
		r.endActivities(ctx, notices, id)
	case "message":
		var ev conversation.Event
		if ev, err = r.agentWrites(ctx, agent, cmd.ConversationID, conversation.Message(conversation.FromAgent, cmd.Text, nil)); err == nil {
			r.indexMessage(ctx, cmd.ConversationID, ev)
		}
	case "typing":
		_, err = r.agentWrites(ctx, agent, cmd.ConversationID, conversation.Event{Type: conversation.TypeTyping, From: conversation.FromAgent})
	default:
		err = apperr.Errorf(apperr.Invalid, "Commande inconnue : « %s ».", cmd.Type)
	}
	return err
}

// HeldTask is the task of conversation convID, which agentID must hold.
func (r *Relay) HeldTask(ctx context.Context, agentID, convID string) (handoff.Task, error) {
	if !conversation.ValidID(convID) {
		return handoff.Task{}, apperr.New(apperr.NotFound, "Conversation introuvable.")
	}
	t, err := r.router.TaskOf(ctx, convID)
	if err != nil {
		return t, err
	}
	if t.State != handoff.TaskAssigned || t.AgentID != agentID {
		return t, ErrNotYours
	}
	return t, nil
}

// agentWrites appends the agent's event to the conversation they hold and returns it as
// stored. Right after an assignment the consumer group may not have given it to them yet:
// then this does it (the same guarded change, applied once) and tries again.
func (r *Relay) agentWrites(ctx context.Context, agent handoff.Agent, convID string, ev conversation.Event) (conversation.Event, error) {
	t, err := r.HeldTask(ctx, agent.ID, convID)
	if err != nil {
		return ev, err
	}
	ev.Agent = agent.Name
	opts := conversation.AppendOptions{IfOwner: conversation.OwnerAgent}
	stored, err := r.conv.Append(ctx, t.ConversationID, []conversation.Event{ev}, opts)
	if errors.Is(err, conversation.ErrOwnerChanged) {
		if err := r.Join(ctx, t); err != nil {
			return ev, err
		}
		stored, err = r.conv.Append(ctx, t.ConversationID, []conversation.Event{ev}, opts)
	}
	if err != nil {
		return ev, r.endedFull(ctx, t.ConversationID, err)
	}
	return stored[0], nil
}

// Attach files the desk interaction of a task assigned to agent (filing it again — another
// tab, a reconnection — returns the same one). A failure is logged and the assignment goes
// on without its desk records: the conversation is never lost for them, and the desk page
// can still load them later (IndexTranscript then gives the text index the conversation's
// messages so far).
func (r *Relay) Attach(ctx context.Context, t handoff.Task, a handoff.Agent) *desk.Interaction {
	in, err := r.records.Attach(ctx, desk.Taken{TaskID: t.ID, ConversationID: t.ConversationID,
		CustomerID: t.CustomerID, AgentID: a.ID, AgentName: a.Name, Intent: t.Intent, Summary: t.Summary})
	if err != nil {
		r.log.Warn("bureau : activité non enregistrée", "task", t.ID, "conversation", t.ConversationID, "err", err)
		return nil
	}
	return &in
}

// transferActivity gives a transferred task's activity to its new agent; a failure is logged.
func (r *Relay) transferActivity(ctx context.Context, t handoff.Task, by string) {
	if t.AgentID == "" || t.State != handoff.TaskAssigned {
		return
	}
	a, err := r.accounts.Get(ctx, t.AgentID)
	if err == nil {
		_, err = r.records.ChangeAgent(ctx, t.ID, a.ID, a.Name, by)
	}
	if err != nil && !errors.Is(err, desk.ErrNoInteraction) {
		r.log.Warn("bureau : transfert de l'activité non enregistré", "task", t.ID, "err", err)
	}
}
