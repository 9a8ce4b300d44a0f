package relay

import (
	"context"
	"errors"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/handoff/desk"
)

var errNothingToReopen = apperr.New(apperr.NotFound, "Aucune conversation d'un conseiller à rouvrir ici.")

var errClosing = apperr.New(apperr.Conflict, "La fermeture de cette conversation est encore en cours : réessayez dans un instant.")

// reopenedText tells the customer that the agent took the conversation back.
func reopenedText(agent string) string {
	return agent + " a rouvert la conversation : vous pouvez de nouveau écrire."
}

// Reopen gives agent back conversation convID, whose task (its latest desk interaction's)
// they closed, within the router's reopen window (handoff.Router.Reopen): the task is theirs again, and the
// customer reads that the agent is back and may write again. The close must have reached
// the conversation (its owner is closed): a close still on its way is not undone, the
// agent tries again. If the conversation cannot take the agent back (erased meanwhile), the
// task is closed again and nothing is told.
func (r *Relay) Reopen(ctx context.Context, agent handoff.Agent, convID string) (handoff.Task, error) {
	in, err := r.records.OfConversation(ctx, convID)
	if errors.Is(err, desk.ErrNoInteraction) || err == nil && in.Activity.TaskID == "" {
		return handoff.Task{}, errNothingToReopen
	}
	if err != nil {
		return handoff.Task{}, err
	}
	owner, err := r.conv.Owner(ctx, convID)
	if err != nil {
		return handoff.Task{}, err
	}
	if owner != conversation.OwnerClosed {
		return handoff.Task{}, errClosing
	}
	t, _, err := r.router.Reopen(ctx, agent.ID, in.Activity.TaskID)
	if err != nil {
		return handoff.Task{}, err
	}
	_, err = r.conv.Append(ctx, convID, []conversation.Event{
		{Type: conversation.TypeAgentJoined, Agent: agent.Name},
		conversation.Message(conversation.FromSystem, reopenedText(agent.Name), nil),
	}, conversation.AppendOptions{IfOwner: conversation.OwnerClosed, SetOwner: conversation.OwnerAgent})
	if err != nil {
		r.undoReopen(ctx, agent, t)
		return handoff.Task{}, err
	}
	if _, err := r.records.ResumeActivity(ctx, t.ID, agent.ID); err != nil && !errors.Is(err, desk.ErrNoInteraction) {
		r.log.Warn("bureau : reprise de l'activité non enregistrée", "task", t.ID, "err", err)
	}
	return t, nil
}

// undoReopen closes again a task Reopen gave back but could not finish.
func (r *Relay) undoReopen(ctx context.Context, agent handoff.Agent, t handoff.Task) {
	if _, err := r.router.Close(ctx, agent.ID, t.ConversationID); err != nil {
		r.log.Warn("réouverture annulée", "task", t.ID, "err", err)
	}
}
