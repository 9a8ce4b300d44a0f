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

// A customer's turn starts from the conversation as it stands and the bot's session: as this
// process's last turn of the conversation left them (states.go), else read in one round trip
// (conversation.Store.Peek). It asks the bot for its answer on that session, then stores the
// message, the answer and the new session in one atomic step (conversation.Store.Exchange),
// only if the conversation did not change meanwhile; else it reads and answers again. While
// an agent owns the conversation, the message is stored and the bot is not asked. Nothing is
// locked, and a turn that fails stores nothing.

// handoffText is the system message a customer reads when the bot hands over without a word
// of its own.
const handoffText = "Je vous mets en relation avec un conseiller. Un conseiller va vous répondre dès que possible."

// typingDelay is how long the bot may take to answer a customer message before the live
// websockets of the conversation are told that it is typing (a webhook, a loaded machine).
// The event is transient: not stored, no sequence number, sent through the Hub's pub/sub at
// most once. A turn that ends sooner costs one timer and nothing in Redis.
const typingDelay = 300 * time.Millisecond

// maxTries bounds the answers computed for one message while its conversation keeps changing
// under it (each time another turn of the same conversation was stored first).
const maxTries = 5

// errBusy refuses a message whose conversation changed under maxTries answers in a row; it
// will pass later (409 with Retry-After: the widget retries by itself).
var errBusy = &apperr.Error{Code: apperr.Conflict, RetryAfter: time.Second,
	Message: "Votre conversation reçoit beaucoup de messages à la fois. Réessayez dans un instant."}

// Opened is a new conversation and the bot's welcome.
type Opened struct {
	Conversation conversation.Conversation
	Events       []conversation.Event
}

// Open creates a conversation, linked to the desk customer customerID when the company's
// site identified them ("" for an anonymous customer), and stores the bot's welcome.
func (r *Relay) Open(ctx context.Context, customerID string) (Opened, error) {
	conv, err := r.conv.Create(ctx)
	if err != nil {
		return Opened{}, err
	}
	if customerID != "" {
		if err := r.records.SetConversationCustomer(ctx, conv.ID, customerID, r.opts.ConversationTTL); err != nil {
			return Opened{}, err
		}
	}
	turn, x, err := r.ask(ctx, conv.ID, false, func(ctx context.Context) (dialog.Turn, []byte, error) {
		return r.bot.Greet(ctx, conv.ID)
	})
	if err != nil {
		return Opened{}, err
	}
	x.Token, x.Owner, x.Seq = conv.Token, conversation.OwnerBot, 0
	out, err := r.conv.Exchange(context.WithoutCancel(ctx), conv.ID, x)
	if err != nil {
		return Opened{}, err
	}
	r.remember(conv.ID, x, out)
	out.Answer = append(out.Answer, r.enqueue(ctx, conv.ID, turn)...)
	return Opened{Conversation: conv, Events: out.Answer}, nil
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
	sessionKey, _, _ := r.bot.SessionKey(id)
	st, remembered := r.states.take(id, token, key)
	for range maxTries {
		if !remembered {
			var err error
			if st, err = r.conv.Peek(ctx, id, token, key, sessionKey, true); err != nil {
				return Answered{}, err
			}
		}
		x := conversation.Exchange{Token: token, Key: key, Text: text, Owner: st.Owner, Seq: -1}
		answered, err := r.post(ctx, id, x, st, remembered)
		if !errors.Is(err, conversation.ErrStale) {
			return answered, err
		}
		if remembered {
			r.states.share(id)
			remembered = false
		}
	}
	return Answered{}, errBusy
}

// post answers the message of x with the bot when the bot owns the conversation as st says,
// and stores the turn: conversation.ErrStale when the conversation changed since st. A state
// remembered rather than read is checked before the bot calls a webhook.
func (r *Relay) post(ctx context.Context, id string, x conversation.Exchange, st conversation.State, remembered bool) (Answered, error) {
	var turn dialog.Turn
	bot := st.Owner == conversation.OwnerBot && !st.Done
	if bot {
		bctx := ctx
		if remembered {
			bctx = dialog.WithCheck(ctx, func(ctx context.Context) error { return r.unchanged(ctx, id, x, st) })
		}
		var answer conversation.Exchange
		var err error
		turn, answer, err = r.ask(bctx, id, true, func(ctx context.Context) (dialog.Turn, []byte, error) {
			return r.bot.Answer(ctx, id, x.Text, st.Data)
		})
		if err != nil {
			return Answered{}, err
		}
		answer.Token, answer.Key, answer.Text, answer.Owner, answer.Seq = x.Token, x.Key, x.Text, st.Owner, st.Seq
		x = answer
	}
	// The bot has answered: store the turn even when the customer has left.
	out, err := r.conv.Exchange(context.WithoutCancel(ctx), id, x)
	if err != nil {
		return Answered{}, r.endedFull(ctx, id, err)
	}
	if out.Replayed {
		if out.Message.Text != x.Text { // the key was first sent with another text
			return Answered{}, ErrKeyReused
		}
		return Answered{Message: out.Message, Events: out.Answer}, nil
	}
	if bot {
		r.remember(id, x, out)
		r.obs.ObserveTurn(turn)
		out.Answer = append(out.Answer, r.enqueue(ctx, id, turn)...)
	}
	if st.Owner == conversation.OwnerQueued {
		r.waitingWrote(ctx, id)
	}
	r.indexCustomer(ctx, id, st.Owner, out.Message)
	return Answered{Message: out.Message, Events: out.Answer}, nil
}

// waitingWrote tells every desk that a customer in the queue wrote: the queue list shows each
// customer's last message. Without it the list is only late; the message is stored.
func (r *Relay) waitingWrote(ctx context.Context, id string) {
	if r.router == nil {
		return
	}
	if err := r.router.Announce(context.WithoutCancel(ctx), handoff.NoticeQueue, id); err != nil {
		r.log.Warn("file d'attente : nouveau message d'un client en attente", "conversation", id, "err", err)
	}
}

// unchanged says whether conversation id is still as st, remembered, says: ErrStale if not.
func (r *Relay) unchanged(ctx context.Context, id string, x conversation.Exchange, st conversation.State) error {
	cur, err := r.conv.Peek(ctx, id, x.Token, x.Key, "", false)
	if err != nil {
		return err
	}
	if cur.Done || cur.Owner != st.Owner || cur.Seq != st.Seq {
		return conversation.ErrStale
	}
	return nil
}

// remember keeps the state a stored bot turn x left, while the bot still owns the
// conversation: the next turn here starts from it.
func (r *Relay) remember(id string, x conversation.Exchange, out conversation.Exchanged) {
	if x.SetOwner != "" && x.SetOwner != conversation.OwnerBot || x.Data == nil {
		return
	}
	last := out.Message.Seq
	if n := len(out.Answer); n > 0 {
		last = out.Answer[n-1].Seq
	}
	r.states.keep(id, x.Token, x.Key, conversation.State{Owner: conversation.OwnerBot, Seq: last, Data: string(x.Data)})
}

// answer is a bot turn on the conversation's session.
type answer func(ctx context.Context) (dialog.Turn, []byte, error)

// ask asks the bot for a turn, within the bot's deadline, and returns it with what storing it
// takes: its events, the owner change they carry and the session to save. message says the
// turn answers a customer message (the welcome is not announced by typing).
func (r *Relay) ask(ctx context.Context, id string, message bool, bot answer) (dialog.Turn, conversation.Exchange, error) {
	bctx, cancel := context.WithTimeout(ctx, r.opts.BotTimeout)
	stopTyping := r.typingAfter(message, id)
	turn, session, err := bot(bctx)
	stopTyping()
	cancel()
	if errors.Is(err, conversation.ErrStale) || err != nil && apperr.CodeOf(err) != apperr.Internal {
		return turn, conversation.Exchange{}, err // from the check before a webhook (post)
	}
	if err != nil {
		return turn, conversation.Exchange{}, apperr.Wrap(apperr.Unavailable, "L'assistant ne répond pas pour le moment. Réessayez dans un instant.", err)
	}
	x, err := turnExchange(turn)
	x.DataKey, x.DataTTL, _ = r.bot.SessionKey(id)
	x.Data = session
	return turn, x, err
}

// enqueue puts the conversation a stored turn handed over in the agents' queue and returns
// the events that told the customer their place (the queued event), for the turn's answer.
func (r *Relay) enqueue(ctx context.Context, id string, turn dialog.Turn) []conversation.Event {
	if turn.Handoff == nil || turn.End || r.router == nil {
		return nil
	}
	told, err := r.Enqueue(ctx, id, *turn.Handoff)
	if err != nil {
		r.log.Error("mise en file d'attente", "conversation", id, "err", err)
	}
	return told
}

// Enqueue puts a conversation already marked queued, its handoff recorded, in the agents'
// queue, then tells the customer their position: the events appended to say it.
func (r *Relay) Enqueue(ctx context.Context, conversationID string, h dialog.Handoff) ([]conversation.Event, error) {
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
		return nil, err
	}
	e, err := r.router.Position(ctx, t.ID)
	if err != nil {
		return nil, err
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

// turnExchange turns the bot's turn into conversation events and the owner change they carry.
func turnExchange(t dialog.Turn) (conversation.Exchange, error) {
	var x conversation.Exchange
	events := make([]conversation.Event, 0, len(t.Replies)+1)
	for _, r := range t.Replies {
		events = append(events, conversation.Message(conversation.FromBot, r.Text, r.QuickReplies))
	}
	switch {
	case t.End:
		events = append(events, conversation.Event{Type: conversation.TypeClosed})
		x.SetOwner = conversation.OwnerClosed
	case t.Handoff != nil:
		data, err := json.Marshal(t.Handoff)
		if err != nil {
			return x, err
		}
		if len(events) == 0 { // the bot's own words say it, when it has some: one message
			events = append(events, conversation.Message(conversation.FromSystem, handoffText, nil))
		}
		// In the agents' queue from now on; the position follows once the router has it.
		events = append(events, conversation.Event{Type: conversation.TypeQueued})
		x.SetOwner, x.Field, x.Value = conversation.OwnerQueued, "handoff", string(data)
	}
	x.Answer = events
	return x, nil
}
