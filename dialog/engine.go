package dialog

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/relais/relais/intents"
)

// Classifier is what the engine needs from the intent classifier.
type Classifier interface {
	Classify(text string) intents.Decision
}

var _ Classifier = (*intents.Classifier)(nil)

// Engine runs conversations: it classifies each customer message, follows the bot's dialog
// files and remembers each conversation's session. It is safe for concurrent use; turns of
// one conversation are serialised by the session store's lock.
type Engine struct {
	brain    atomic.Pointer[brain]
	sessions Sessions
	caller   Caller
	now      func() time.Time
	log      *slog.Logger
	onReload func(error)
}

// brain is the bot and its classifier, swapped as one when the designer's files change.
type brain struct {
	bot        *Bot
	classifier Classifier
}

// Options are the engine's collaborators; zero values get defaults.
type Options struct {
	Caller Caller           // calls webhooks; default HTTPCaller
	Now    func() time.Time // the clock for relative dates; default time.Now
	Log    *slog.Logger
	// OnReload, when set, is called after each reload attempt of Watch, with its error.
	OnReload func(error)
}

// NewEngine returns an engine for bot, classifying with c and keeping sessions in sessions.
func NewEngine(bot *Bot, c Classifier, sessions Sessions, opts Options) *Engine {
	e := &Engine{sessions: sessions, caller: opts.Caller, now: opts.Now, log: opts.Log, onReload: opts.OnReload}
	if e.caller == nil {
		e.caller = NewHTTPCaller()
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	e.Swap(bot, c)
	return e
}

// Swap replaces the bot and its classifier; conversations in progress keep their sessions.
func (e *Engine) Swap(bot *Bot, c Classifier) {
	e.brain.Store(&brain{bot: bot, classifier: c})
}

// Bot returns the bot the engine currently runs.
func (e *Engine) Bot() *Bot { return e.brain.Load().bot }

// Start opens a conversation: a new session and the welcome messages.
func (e *Engine) Start(ctx context.Context, id string) (Turn, error) {
	return e.turn(ctx, id, e.welcome)
}

func (e *Engine) welcome(t *turn) {
	*t.s = Session{Slots: map[string]string{}}
	for _, m := range t.bot().Settings.Welcome {
		t.say(m.Text, m.QuickReplies)
	}
	t.out.Understood = true
}

// Handle answers one customer message.
func (e *Engine) Handle(ctx context.Context, id, text string) (Turn, error) {
	return e.turn(ctx, id, func(t *turn) {
		t.text = strings.TrimSpace(text)
		t.run()
	})
}

// Session returns a conversation's current session (for tests and tools).
func (e *Engine) Session(ctx context.Context, id string) (*Session, error) {
	return e.sessions.Load(ctx, id)
}

func (e *Engine) turn(ctx context.Context, id string, body func(*turn)) (Turn, error) {
	s, end, err := e.sessions.Begin(ctx, id)
	if err != nil {
		return Turn{}, err
	}
	out, err := e.play(ctx, id, s, body)
	if err != nil {
		end(nil)
		return Turn{}, err
	}
	if err := end(s); err != nil {
		return Turn{}, err
	}
	return out, nil
}

// play runs one turn on session s, or stops it with the error of the caller's check
// (WithCheck), s then to be thrown away.
func (e *Engine) play(ctx context.Context, id string, s *Session, body func(*turn)) (Turn, error) {
	t := &turn{ctx: ctx, e: e, brain: e.brain.Load(), id: id, s: s}
	if t.s.Slots == nil {
		t.s.Slots = map[string]string{}
	}
	body(t)
	if t.err != nil {
		return Turn{}, t.err
	}
	t.s.Turns++
	return t.out, nil
}

// turn is one customer message being answered.
type turn struct {
	ctx context.Context
	e   *Engine
	*brain
	id   string
	s    *Session
	text string
	out  Turn
	// checked says that the caller's check (WithCheck) passed; err is the one that failed,
	// which stops the turn.
	checked bool
	err     error
}

func (t *turn) bot() *Bot { return t.brain.bot }

// run answers the message. A pending question (an offer of a human, a flow's slot or
// confirmation) reads it first as its answer; only what is not an answer is a request.
// The whole order is in interpret.go.
func (t *turn) run() {
	if t.s.Flow != nil && t.entry(t.s.Flow.Intent) == nil {
		t.s.Flow = nil // the designer removed the flow meanwhile
	}
	if t.s.Offer != nil && t.answerOffer() {
		return
	}
	if t.s.AnythingElse && t.answerAnythingElse() {
		return
	}
	if t.s.Flow != nil && t.answerFlow() {
		return
	}
	t.request()
}

func (t *turn) classify() intents.Decision {
	return t.classifyText(t.text)
}

func (t *turn) classifyText(text string) intents.Decision {
	d := t.classifier.Classify(text)
	if len(d.Ranked) > 0 {
		t.out.Intent, t.out.Confidence = d.Ranked[0].Intent, d.Confidence
	}
	if d.Rejected {
		t.out.Intent = ""
	}
	return d
}

// decide answers a request outside any flow, from the classifier's decision.
func (t *turn) decide(d intents.Decision) {
	set := t.bot().Settings
	switch d.Status {
	case intents.Understood:
		t.s.Misses = 0
		t.out.Understood = true
		t.startIntent(d.Intent)
	case intents.Ambiguous:
		t.s.Choices = []string{d.Pair[0].Intent, d.Pair[1].Intent}
		names := []string{t.intentName(d.Pair[0].Intent), t.intentName(d.Pair[1].Intent)}
		t.say(t.render(set.Disambiguation, map[string]any{"first": names[0], "second": names[1]}), names)
		t.out.Understood = true
	default:
		// Out of scope and not understood both count as misses: after max_misses in a row,
		// the customer is offered a human rather than a third refusal.
		t.s.Misses++
		if t.s.Misses >= set.MaxMisses {
			t.s.Misses = 0
			t.offer(set.OfferAgent, "", "L'assistant n'a pas compris la demande du client.")
			return
		}
		if d.Status == intents.OutOfScope {
			t.say(t.pick(set.OutOfScope), nil)
			return
		}
		t.say(t.pick(set.NotUnderstood), nil)
	}
}

func (t *turn) intentName(id string) string {
	if in, ok := t.bot().Catalogue.Intent(id); ok {
		return in.Name
	}
	return id
}

func (t *turn) entry(intent string) *Entry { return t.bot().Entries[intent] }
