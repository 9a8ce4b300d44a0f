package server

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/dialog"
)

// handoffText is the system message a customer reads when the bot hands over.
const handoffText = "Je vous mets en relation avec un conseiller. Un conseiller va vous répondre dès que possible."

// converse asks the bot for a turn and stores its events, while the bot still owns the
// conversation, completing the idempotency record of key. message says the turn answers a
// customer message (the welcome is not counted in the metrics).
func (s *Server) converse(ctx context.Context, id, key string, message bool, ask func(context.Context) (dialog.Turn, error)) ([]conversation.Event, error) {
	bctx, cancel := context.WithTimeout(ctx, s.cfg.BotTimeout)
	turn, err := ask(bctx)
	cancel()
	if err != nil {
		return nil, apperr.Wrap(apperr.Unavailable, "L'assistant ne répond pas pour le moment. Réessayez dans un instant.", err)
	}
	if message {
		s.metrics.observeTurn(turn)
	}
	events, opts, err := turnEvents(turn)
	if err != nil {
		return nil, err
	}
	opts.IfOwner, opts.IdempotencyKey = conversation.OwnerBot, key
	// The bot has moved on: store its answer even when the customer has left.
	ctx = context.WithoutCancel(ctx)
	out, err := s.conv.Append(ctx, id, events, opts)
	if errors.Is(err, conversation.ErrOwnerChanged) {
		return []conversation.Event{}, nil
	}
	if err != nil {
		return nil, err
	}
	if turn.Handoff != nil && !turn.End && s.queue != nil {
		if err := s.queue.Enqueue(ctx, id, *turn.Handoff); err != nil {
			s.log.Error("mise en file d'attente", "conversation", id, "err", err)
		}
	}
	return out, nil
}

// turnEvents turns the bot's turn into conversation events and the owner change they carry.
func turnEvents(t dialog.Turn) ([]conversation.Event, conversation.AppendOptions, error) {
	var opts conversation.AppendOptions
	events := make([]conversation.Event, 0, len(t.Replies)+1)
	for _, r := range t.Replies {
		events = append(events, conversation.Message(conversation.FromBot, r.Text, r.QuickReplies))
	}
	switch {
	case t.End:
		events = append(events, conversation.Event{Type: conversation.TypeClosed})
		opts.SetOwner = conversation.OwnerClosed
	case t.Handoff != nil:
		data, err := json.Marshal(t.Handoff)
		if err != nil {
			return nil, opts, err
		}
		events = append(events, conversation.Message(conversation.FromSystem, handoffText, nil))
		opts.SetOwner, opts.Field, opts.Value = conversation.OwnerQueued, "handoff", string(data)
	}
	return events, opts, nil
}
