package server

import (
	"context"
	"errors"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/dialog"
)

// aheadAttempts bounds the answers computed ahead for one message: a second one when the
// first found the session changed by another process's turn (it then starts from the session
// as stored), before the locked path takes over. The conversation is then marked bouncing
// (knownSessions): its next messages here take the locked path, without a wasted answer.
const aheadAttempts = 2

// answerAhead answers a customer message in one Redis round trip when this process knows the
// conversation's session (it stored the bot's last turn): the bot answers on a copy of that
// session, then one script stores the message and the answer together, unless anything
// changed meanwhile. When only the session changed (another process answered the previous
// message), the script returns it and the bot answers again from it. ok false: nothing was
// stored and the locked path (Post, the bot, Append) answers instead (an agent took over, a
// retried key, the rate limit, a webhook to call, a race lost twice).
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
	for range aheadAttempts {
		turn, saved, err := s.turnAhead(ctx, bot, id, text, session)
		if err != nil { // a webhook to call, or a failure: the locked path answers
			return r, false, nil
		}
		answer, opts, err := turnEvents(turn)
		if err != nil {
			return r, false, err
		}
		// The bot has answered: store the exchange even when the customer has left.
		sctx := context.WithoutCancel(ctx)
		msg, out, err := s.conv.Exchange(sctx, id, conversation.Exchange{
			Token: token, Key: key, Text: text, Answer: answer,
			SetOwner: opts.SetOwner, Field: opts.Field, Value: opts.Value,
			Lock: *convLock(&lock), Old: session, New: saved, DataTTL: lock.SessionTTL,
		})
		var changed *conversation.StaleData
		switch {
		case errors.As(err, &changed):
			s.metrics.staleAhead.Add(1)
			s.known.bounce(id)
			session = changed.Data
			continue
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
		s.enqueueHandoff(sctx, id, turn)
		return messageResponse{Message: msg, Events: out}, true, nil
	}
	s.known.forget(id)
	return r, false, nil
}

// turnAhead asks the bot for its answer on a copy of the session, telling the conversation's
// other readers that it is typing if it takes long.
func (s *Server) turnAhead(ctx context.Context, bot heldBot, id, text string, session []byte) (dialog.Turn, []byte, error) {
	bctx, cancel := context.WithTimeout(ctx, s.cfg.BotTimeout)
	defer cancel()
	stopTyping := s.typingAfter(true, id)
	defer stopTyping()
	return bot.HandleAhead(bctx, id, text, string(session))
}
