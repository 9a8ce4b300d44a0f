package relay

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/dialog"
	"github.com/relais/relais/handoff"
)

// A customer's turn is two Redis round trips, on one path: the script that stores the
// customer's message takes the bot's session lock and returns the session (Post), the bot
// answers on it, and the script that stores the answer saves the session and releases the
// lock (Append with Release). While an agent owns the conversation, the message is stored and
// the bot is not asked.

// handoffText is the system message a customer reads when the bot hands over.
const handoffText = "Je vous mets en relation avec un conseiller. Un conseiller va vous répondre dès que possible."

// typingDelay is how long the bot may take to answer a customer message before the live
// websockets of the conversation are told that it is typing (a webhook, a loaded machine).
// The event is transient: not stored, no sequence number, sent through the Hub's pub/sub at
// most once. A turn that ends sooner costs one timer and nothing in Redis.
const typingDelay = 300 * time.Millisecond

// Opened is a new conversation and the bot's welcome.
type Opened struct {
	Conversation conversation.Conversation
	Events       []conversation.Event
}

// Open creates a conversation, linked to the desk customer customerID when the company's
// site identified them ("" for an anonymous customer), and stores the bot's welcome.
func (r *Relay) Open(ctx context.Context, customerID string) (Opened, error) {
	var lock dialog.SessionLock
	conv, err := r.conv.CreateLocked(ctx, func(id string) *conversation.Lock {
		lock = r.sessionLock(id)
		return convLock(lock)
	})
	if err != nil {
		return Opened{}, err
	}
	if customerID != "" {
		if err := r.records.SetConversationCustomer(ctx, conv.ID, customerID, r.opts.ConversationTTL); err != nil {
			return Opened{}, err
		}
	}
	events, err := r.converse(ctx, conv.ID, "", false, lock, func(ctx context.Context) (dialog.Turn, []byte, error) {
		return r.bot.StartHeld(ctx, conv.ID)
	})
	if err != nil {
		return Opened{}, err
	}
	return Opened{Conversation: conv, Events: events}, nil
}

// Answered is a customer message as stored and the bot's answer (empty while an agent owns
// the conversation).
type Answered struct {
	Message conversation.Event   `json:"message"`
	Events  []conversation.Event `json:"events"`
}

// ErrKeyReused refuses a message whose idempotency key was first used with another text.
var ErrKeyReused = apperr.New(apperr.KeyReused,
	"Cette clé d'idempotence a déjà servi pour un autre message : utilisez une nouvelle clé par message.")

// Post stores the customer's message text (already checked) once per idempotency key and
// answers it with the bot while the bot owns the conversation. A retry of the same key gets
// the first answer again.
func (r *Relay) Post(ctx context.Context, id, token, key, text string) (Answered, error) {
	lock := r.sessionLock(id)
	posted, err := r.conv.Post(ctx, id, token, text, key, convLock(lock))
	if err != nil {
		return Answered{}, r.endedFull(ctx, id, err)
	}
	if posted.Message.Text != text { // the key was first sent with another text
		return Answered{}, r.refuseReusedKey(ctx, id, key, posted, lock)
	}
	if posted.Replayed {
		return Answered{Message: posted.Message, Events: posted.Answer}, nil
	}
	events := []conversation.Event{}
	if posted.NeedsAnswer {
		events, err = r.converse(ctx, id, key, true, lock, func(ctx context.Context) (dialog.Turn, []byte, error) {
			session := posted.Data
			if !posted.Held { // another turn of the conversation holds the lock: wait for it
				var err error
				if session, err = r.conv.Take(ctx, *convLock(lock)); err != nil {
					return dialog.Turn{}, nil, err
				}
			}
			// The text answered is the stored one: a retry answers the message stored first.
			return r.bot.HandleHeld(ctx, id, posted.Message.Text, session)
		})
		if err != nil {
			r.conv.Release(context.WithoutCancel(ctx), id, key) // a retry may answer at once
			return Answered{}, r.endedFull(ctx, id, err)
		}
	}
	return Answered{Message: posted.Message, Events: events}, nil
}

// refuseReusedKey gives back the lock Post took for a message whose key was first used with
// another text (stored, maybe not answered yet), so that a retry of the first text may still
// be answered.
func (r *Relay) refuseReusedKey(ctx context.Context, id, key string, posted conversation.Posted, lock dialog.SessionLock) error {
	if posted.Replayed || !posted.NeedsAnswer {
		return ErrKeyReused
	}
	ctx = context.WithoutCancel(ctx)
	if posted.Held {
		if err := r.conv.Unlock(ctx, *convLock(lock)); err != nil {
			r.log.Warn("verrou de session non rendu", "conversation", id, "err", err)
		}
	}
	if err := r.conv.Release(ctx, id, key); err != nil {
		r.log.Warn("clé d'idempotence non libérée", "conversation", id, "err", err)
	}
	return ErrKeyReused
}

// answer is a bot turn on the session held under the lock.
type answer func(ctx context.Context) (dialog.Turn, []byte, error)

// converse asks the bot for a turn on the session held under lock and stores its events,
// while the bot still owns the conversation, saving the session and releasing the lock, and
// completing the idempotency record of key. message says the turn answers a customer
// message (the welcome is not observed, nor announced by typing).
func (r *Relay) converse(ctx context.Context, id, key string, message bool, lock dialog.SessionLock, ask answer) ([]conversation.Event, error) {
	bctx, cancel := context.WithTimeout(ctx, r.opts.BotTimeout)
	stopTyping := r.typingAfter(message, id)
	turn, session, err := ask(bctx)
	stopTyping()
	cancel()
	if err != nil {
		r.conv.Unlock(context.WithoutCancel(ctx), *convLock(lock))
		return nil, apperr.Wrap(apperr.Unavailable, "L'assistant ne répond pas pour le moment. Réessayez dans un instant.", err)
	}
	if message {
		r.obs.ObserveTurn(turn)
	}
	events, opts, err := turnEvents(turn)
	if err != nil {
		return nil, err
	}
	opts.IfOwner, opts.IdempotencyKey = conversation.OwnerBot, key
	opts.Release = &conversation.Release{Lock: *convLock(lock), Data: session, DataTTL: lock.SessionTTL}
	// The bot has moved on: store its answer even when the customer has left.
	ctx = context.WithoutCancel(ctx)
	out, err := r.conv.Append(ctx, id, events, opts)
	if errors.Is(err, conversation.ErrLockLost) { // the answer is stored all the same
		r.log.Warn("session du bot non enregistrée", "conversation", id, "err", err)
		err = nil
	}
	if errors.Is(err, conversation.ErrOwnerChanged) {
		return []conversation.Event{}, nil
	}
	if err != nil {
		return nil, err
	}
	r.enqueue(ctx, id, turn)
	return out, nil
}

// enqueue puts the conversation a stored turn handed over in the agents' queue.
func (r *Relay) enqueue(ctx context.Context, id string, turn dialog.Turn) {
	if turn.Handoff == nil || turn.End || r.router == nil {
		return
	}
	if err := r.Enqueue(ctx, id, *turn.Handoff); err != nil {
		r.log.Error("mise en file d'attente", "conversation", id, "err", err)
	}
}

// Enqueue puts a conversation already marked queued, its handoff recorded, in the agents'
// queue, then tells the customer their position.
func (r *Relay) Enqueue(ctx context.Context, conversationID string, h dialog.Handoff) error {
	p := handoff.Priority(h.Priority)
	if p != handoff.PriorityHigh {
		p = handoff.PriorityNormal
	}
	customer, err := r.records.ConversationCustomer(ctx, conversationID)
	if err != nil {
		r.log.Warn("bureau : client de la conversation illisible", "conversation", conversationID, "err", err)
	}
	t, _, err := r.router.Enqueue(ctx, handoff.NewTask{ConversationID: conversationID, CustomerID: customer, Intent: h.Intent,
		Category: h.Category, Summary: h.Summary, Priority: p})
	if err != nil {
		return err
	}
	e, err := r.router.Position(ctx, t.ID)
	if err != nil {
		return err
	}
	return r.tellPosition(ctx, e)
}

// typingAfter tells the conversation's live readers that the bot is typing if it has not
// answered within typingDelay; call stop when it has.
func (r *Relay) typingAfter(message bool, id string) (stop func() bool) {
	if !message {
		return func() bool { return false }
	}
	return time.AfterFunc(typingDelay, func() {
		ctx, cancel := context.WithTimeout(context.Background(), r.opts.WriteTimeout)
		defer cancel()
		ev := conversation.Event{Type: conversation.TypeTyping, From: conversation.FromBot, At: time.Now().UTC()}
		if err := r.hub.Broadcast(ctx, id, ev); err != nil {
			r.log.Debug("indicateur de saisie du bot", "conversation", id, "err", err)
		}
	}).Stop
}

// sessionLock is a fresh lock of the bot's session of conversation id. New checked that the
// bot keeps its sessions in Redis.
func (r *Relay) sessionLock(id string) dialog.SessionLock {
	l, _ := r.bot.SessionLock(id)
	return l
}

// convLock is l as the conversation store takes it.
func convLock(l dialog.SessionLock) *conversation.Lock {
	return &conversation.Lock{Key: l.Key, DataKey: l.SessionKey, Token: l.Token, TTL: l.TTL}
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
