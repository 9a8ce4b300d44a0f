package relay

import (
	"context"
	"errors"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/handoff"
)

// The attachments' events: the file itself is kept by the caller first
// (conversation.Store.PutAttachment); these write the event that shows it to both sides.

var errClosedForFiles = apperr.New(apperr.Conflict, "La conversation est terminée : elle ne reçoit plus de fichiers.")

// AgentAttaches writes the event of attachment a, sent by agent in the conversation they hold,
// and returns it as stored.
func (r *Relay) AgentAttaches(ctx context.Context, agent handoff.Agent, convID string, a conversation.Attachment) (conversation.Event, error) {
	return r.agentWrites(ctx, agent, convID, attachmentEvent(conversation.FromAgent, a))
}

// CustomerAttaches writes the event of attachment a, sent by the customer of conversation id
// (already authorized), whoever answers them (the bot does not read files: an agent will),
// and returns it as stored. A closed conversation takes no file.
func (r *Relay) CustomerAttaches(ctx context.Context, id string, a conversation.Attachment) (conversation.Event, error) {
	ev := attachmentEvent(conversation.FromCustomer, a)
	for range 5 {
		owner, err := r.conv.Owner(ctx, id)
		if err != nil {
			return ev, err
		}
		if owner == conversation.OwnerClosed {
			return ev, errClosedForFiles
		}
		stored, err := r.conv.Append(ctx, id, []conversation.Event{ev}, conversation.AppendOptions{IfOwner: owner})
		if errors.Is(err, conversation.ErrOwnerChanged) {
			continue // taken or handed over meanwhile: under its new owner
		}
		if err != nil {
			return ev, r.endedFull(ctx, id, err)
		}
		return stored[0], nil
	}
	return ev, conversation.ErrOwnerChanged
}

func attachmentEvent(from string, a conversation.Attachment) conversation.Event {
	return conversation.Event{Type: conversation.TypeAttachment, From: from, Attachment: &a}
}
