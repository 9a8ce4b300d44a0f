package server

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/dialog"
)

// handoffText is the system message a customer reads when the bot hands over.
const handoffText = "Je vous mets en relation avec un conseiller. Un conseiller va vous répondre dès que possible."

// typingDelay is how long the bot may take to answer a customer message before the live
// websockets of the conversation are told that it is typing (a webhook, a loaded machine).
// The event is transient: not stored, no sequence number, sent through the Hub's pub/sub at
// most once. A turn that ends sooner costs one timer and nothing in Redis; the widget that
// sent the message shows its own indicator meanwhile, the event is for the other tabs.
const typingDelay = 300 * time.Millisecond

// heldBot is a Bot that answers on a session the server holds under the conversation's
// session lock (dialog.Engine on Redis sessions): the server takes the lock in the script
// that stores the customer's message and releases it, saving the session, in the one that
// stores the answer. A turn then costs two Redis round trips instead of four; one when the
// process knows the session and the bot answers ahead of the lock (HandleAhead, answerAhead).
type heldBot interface {
	SessionLock(conversationID string) (dialog.SessionLock, bool)
	HandleHeld(ctx context.Context, conversationID, text, session string) (dialog.Turn, []byte, error)
	HandleAhead(ctx context.Context, conversationID, text, session string) (dialog.Turn, []byte, error)
	StartHeld(ctx context.Context, conversationID string) (dialog.Turn, []byte, error)
}

// ask asks the bot for a turn; release, when not nil, gives back the session lock the server
// holds, with the session to save.
type ask func(ctx context.Context) (t dialog.Turn, release *conversation.Release, err error)

// converse asks the bot for a turn and stores its events, while the bot still owns the
// conversation, completing the idempotency record of key. message says the turn answers a
// customer message (the welcome is not counted in the metrics, nor announced by typing).
// token is the conversation's: the process remembers the session it saves (knownSessions).
func (s *Server) converse(ctx context.Context, id, token, key string, message bool, ask ask) ([]conversation.Event, error) {
	bctx, cancel := context.WithTimeout(ctx, s.cfg.BotTimeout)
	stopTyping := s.typingAfter(message, id)
	turn, release, err := ask(bctx)
	stopTyping()
	cancel()
	if err != nil {
		if release != nil {
			s.conv.Unlock(context.WithoutCancel(ctx), release.Lock)
		}
		return nil, apperr.Wrap(apperr.Unavailable, "L'assistant ne répond pas pour le moment. Réessayez dans un instant.", err)
	}
	if message {
		s.metrics.observeTurn(turn)
	}
	events, opts, err := turnEvents(turn)
	if err != nil {
		return nil, err
	}
	opts.IfOwner, opts.IdempotencyKey, opts.Release = conversation.OwnerBot, key, release
	// The bot has moved on: store its answer even when the customer has left.
	ctx = context.WithoutCancel(ctx)
	out, err := s.conv.Append(ctx, id, events, opts)
	if err != nil || release == nil {
		s.known.forget(id) // the session saved, if any, is not the one this turn computed
	}
	if errors.Is(err, conversation.ErrLockLost) { // the answer is stored all the same
		s.log.Warn("session du bot non enregistrée", "conversation", id, "err", err)
	}
	switch {
	case errors.Is(err, conversation.ErrOwnerChanged):
		return []conversation.Event{}, nil
	case err != nil && !errors.Is(err, conversation.ErrLockLost):
		return nil, err
	case err == nil && release != nil:
		s.rememberSession(id, token, turn, release.Data)
	}
	s.enqueueHandoff(ctx, id, turn)
	return out, nil
}

// rememberSession keeps the session a stored turn saved, while the bot still owns the
// conversation after it (a bouncing conversation stays so).
func (s *Server) rememberSession(id, token string, turn dialog.Turn, session []byte) {
	if turn.End || turn.Handoff != nil {
		s.known.forget(id)
		return
	}
	s.known.keep(id, token, session)
}

// enqueueHandoff puts the conversation a stored turn handed over in the agents' queue.
func (s *Server) enqueueHandoff(ctx context.Context, id string, turn dialog.Turn) {
	if turn.Handoff == nil || turn.End || s.queue == nil {
		return
	}
	if err := s.queue.Enqueue(ctx, id, *turn.Handoff); err != nil {
		s.log.Error("mise en file d'attente", "conversation", id, "err", err)
	}
}

// typingAfter tells the conversation's live readers that the bot is typing if it has not
// answered within typingDelay; call stop when it has.
func (s *Server) typingAfter(message bool, id string) (stop func() bool) {
	if !message {
		return func() bool { return false }
	}
	return time.AfterFunc(typingDelay, func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.WriteTimeout)
		defer cancel()
		ev := conversation.Event{Type: conversation.TypeTyping, From: conversation.FromBot, At: time.Now().UTC()}
		if err := s.hub.Broadcast(ctx, id, ev); err != nil {
			s.log.Debug("indicateur de saisie du bot", "conversation", id, "err", err)
		}
	}).Stop
}

// sessionLock is the bot's session lock of conversation id, nil when the bot keeps its
// sessions elsewhere (then the bot takes its lock itself).
func (s *Server) sessionLock(id string) *dialog.SessionLock {
	b, ok := s.bot.(heldBot)
	if !ok {
		return nil
	}
	l, ok := b.SessionLock(id)
	if !ok {
		return nil
	}
	return &l
}

// convLock is l as the conversation store takes it, nil for none.
func convLock(l *dialog.SessionLock) *conversation.Lock {
	if l == nil {
		return nil
	}
	return &conversation.Lock{Key: l.Key, DataKey: l.SessionKey, Token: l.Token, TTL: l.TTL}
}

// handle asks the bot to answer posted, on the session Post took with it when it could.
func (s *Server) handle(id string, posted conversation.Posted, lock *dialog.SessionLock) ask {
	text := posted.Message.Text // not the request's: a retry answers the message stored first
	return func(ctx context.Context) (dialog.Turn, *conversation.Release, error) {
		if !posted.Held {
			turn, err := s.bot.Handle(ctx, id, text)
			return turn, nil, err
		}
		turn, session, err := s.bot.(heldBot).HandleHeld(ctx, id, text, posted.Data)
		return turn, release(lock, session), err
	}
}

// start asks the bot for the welcome of a new conversation, on the session lock taken with
// it (lock nil: the bot takes its own).
func (s *Server) start(id string, lock *dialog.SessionLock) ask {
	return func(ctx context.Context) (dialog.Turn, *conversation.Release, error) {
		if lock == nil {
			turn, err := s.bot.Start(ctx, id)
			return turn, nil, err
		}
		turn, session, err := s.bot.(heldBot).StartHeld(ctx, id)
		return turn, release(lock, session), err
	}
}

// createConversationLocked creates a conversation, with the bot's session lock taken in the
// same transaction when the server holds the bot's sessions (lock nil otherwise).
func (s *Server) createConversationLocked(ctx context.Context) (conversation.Conversation, *dialog.SessionLock, error) {
	var lock *dialog.SessionLock
	conv, err := s.conv.CreateLocked(ctx, func(id string) *conversation.Lock {
		lock = s.sessionLock(id)
		return convLock(lock)
	})
	return conv, lock, err
}

func release(l *dialog.SessionLock, session []byte) *conversation.Release {
	return &conversation.Release{Lock: *convLock(l), Data: session, DataTTL: l.SessionTTL}
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
