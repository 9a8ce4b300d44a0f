package relay

import (
	"context"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/handoff/desk"
)

// The desk's text index (desk.SearchText) holds the words of the customers' and agents'
// messages of the conversations the desk handles: what the conversation holds when an agent
// takes it (IndexTranscript, after Attach: the events since the last catch-up, at most catchUp of them), then each
// message the customer or an agent writes while an agent holds it (indexCustomer). A failure
// is logged: the message stands, and the next catch-up reads it again.

// catchUp bounds the events one catch-up reads: the last ones, the first time.
const catchUp = 500

// IndexTranscript indexes the messages of conversation id since the last catch-up. The desk
// calls it once an agent has the conversation and its messages flow (the catch-up reads the
// conversation: it must not hold them back).
func (r *Relay) IndexTranscript(ctx context.Context, id string) {
	ctx = context.WithoutCancel(ctx)
	through, err := r.records.IndexedThrough(ctx, id)
	var events []conversation.Event
	if err == nil {
		if through == 0 {
			events, err = r.conv.Before(ctx, id, 0, catchUp)
		} else {
			events, err = r.conv.Events(ctx, id, through, catchUp)
		}
	}
	if err == nil && len(events) > 0 {
		err = r.records.IndexText(ctx, id, lines(events), events[len(events)-1].Seq)
	}
	if err != nil {
		r.log.Warn("bureau : index des conversations non mis à jour", "conversation", id, "err", err)
	}
}

// indexCustomer indexes a customer's message of conversation id, stored while owner answered
// it: when an agent holds it, or when it waits in the queue again after an agent took it (or
// right after, until the agent joins: the catch-up of Attach may have read the conversation
// before this message, but then the desk has filed the interaction, and Handles says so).
func (r *Relay) indexCustomer(ctx context.Context, id string, owner conversation.Owner, ev conversation.Event) {
	switch owner {
	case conversation.OwnerQueued:
		handled, err := r.records.Handles(context.WithoutCancel(ctx), id)
		if err != nil {
			r.log.Warn("bureau : index des conversations non mis à jour", "conversation", id, "err", err)
		}
		if handled {
			r.indexMessage(ctx, id, ev)
		}
	case conversation.OwnerAgent:
		r.indexMessage(ctx, id, ev)
	}
}

// indexMessage indexes one message written while an agent holds conversation id.
func (r *Relay) indexMessage(ctx context.Context, id string, ev conversation.Event) {
	if err := r.records.IndexText(context.WithoutCancel(ctx), id, lines([]conversation.Event{ev}), 0); err != nil {
		r.log.Warn("bureau : index des conversations non mis à jour", "conversation", id, "err", err)
	}
}

// lines are the customers' and agents' messages of events (the bot's answers are the same
// for everyone: they would find every conversation).
func lines(events []conversation.Event) []desk.Line {
	var out []desk.Line
	for _, ev := range events {
		if ev.Type == conversation.TypeMessage && (ev.From == conversation.FromCustomer || ev.From == conversation.FromAgent) {
			out = append(out, desk.Line{Seq: ev.Seq, At: ev.At, Text: ev.Text})
		}
	}
	return out
}
