package server

import (
	"context"
	"errors"

	"github.com/relais/relais/conversation"
)

// answerAhead answers a customer message in one Redis round trip when this process knows the
// conversation's session (it stored the bot's last turn): the bot answers on a copy of that
// session, then one script stores the message and the answer together, unless anything
// changed meanwhile (another process's turn, an agent, a retried key, the rate limit). ok
// false: nothing was stored and the locked path (Post, the bot, Append) answers instead.
func (s *Server) answerAhead(ctx context.Context, id, token, text, key string) (r messageResponse, ok bool, err error) {
	bot, isHeld := s.bot.(heldBot)
	if !isHeld {
		return r, false, nil
	}
	session, known := s.known.get(id, token)
	lock, locks := bot.SessionLock(id)
	if !known || !locks {
		return r, false, nil
	}
	bctx, cancel := context.WithTimeout(ctx, s.cfg.BotTimeout)
	stopTyping := s.typingAfter(true, id)
	turn, saved, err := bot.HandleAhead(bctx, id, text, string(session))
	stopTyping()
	cancel()
	if err != nil { // a webhook to call, or a failure: the locked path answers
		return r, false, nil
	}
	answer, opts, err := turnEvents(turn)
	if err != nil {
		return r, false, err
	}
	// The bot has answered: store the exchange even when the customer has left.
	ctx = context.WithoutCancel(ctx)
	msg, out, err := s.conv.Exchange(ctx, id, conversation.Exchange{
		Token: token, Key: key, Text: text, Answer: answer,
		SetOwner: opts.SetOwner, Field: opts.Field, Value: opts.Value,
		Lock: *convLock(&lock), Old: session, New: saved, DataTTL: lock.SessionTTL,
	})
	switch {
	case errors.Is(err, conversation.ErrStale):
		s.known.forget(id)
		s.metrics.staleAhead.Add(1)
		return r, false, nil
	case err != nil:
		return r, false, err
	}
	s.metrics.observeTurn(turn)
	s.metrics.ahead.Add(1)
	s.rememberSession(id, token, turn, saved)
	s.enqueueHandoff(ctx, id, turn)
	return messageResponse{Message: msg, Events: out}, true, nil
}
