package dialog

import (
	"context"
	"hash/fnv"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/relais/relais/dialog/slots"
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
	return e.turn(ctx, id, func(t *turn) {
		*t.s = Session{}
		for _, m := range t.bot().Settings.Welcome {
			t.say(m.Text, m.QuickReplies)
		}
		t.out.Understood = true
	})
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
	t := &turn{ctx: ctx, e: e, brain: e.brain.Load(), id: id, s: s}
	if t.s.Slots == nil {
		t.s.Slots = map[string]string{}
	}
	body(t)
	t.s.Turns++
	if err := end(t.s); err != nil {
		return Turn{}, err
	}
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
}

func (t *turn) bot() *Bot { return t.brain.bot }

// run answers the message: inside a flow first, else by its intent.
func (t *turn) run() {
	if t.s.Flow != nil && t.entry(t.s.Flow.Intent) == nil {
		t.s.Flow = nil // the designer removed the flow meanwhile
	}
	if t.s.Flow != nil {
		if isCancel(t.text) {
			t.s.Flow = nil
			t.say(t.bot().Settings.Cancelled, nil)
			t.out.Understood = true
			return
		}
		if t.answerFlow() {
			return
		}
	}
	d := t.classify()
	if choice := t.pickChoice(); choice != "" {
		d = intents.Decision{Status: intents.Understood, Intent: choice, Confidence: 1}
		t.out.Intent, t.out.Confidence = choice, 1
	}
	t.decide(d)
}

func (t *turn) classify() intents.Decision {
	d := t.classifier.Classify(t.text)
	if len(d.Ranked) > 0 {
		t.out.Intent, t.out.Confidence = d.Ranked[0].Intent, d.Confidence
	}
	if d.Rejected {
		t.out.Intent = ""
	}
	return d
}

// pickChoice returns the intent the customer chose after a disambiguation question.
func (t *turn) pickChoice() string {
	choices := t.s.Choices
	t.s.Choices = nil
	said := fold(t.text)
	for _, id := range choices {
		if in, ok := t.bot().Catalogue.Intent(id); ok && said != "" && (said == fold(in.Name) || strings.Contains(fold(in.Name), said) && len(said) > 5) {
			return id
		}
	}
	return ""
}

// decide answers a message outside any flow, from the classifier's decision.
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
			t.say(set.OfferAgent.Text, set.OfferAgent.QuickReplies)
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

// startIntent runs an intent's entry from its first step. Typed values already present in
// the message ("où est ma commande CMD-48213") fill their slots at once.
func (t *turn) startIntent(intent string) {
	e := t.entry(intent)
	if e == nil {
		t.say(t.pick(t.bot().Settings.NotUnderstood), nil)
		return
	}
	t.s.Flow = &FlowState{Intent: intent}
	for _, st := range e.Steps {
		if st.Slot == "" {
			continue
		}
		if freeForm(st.Type) {
			delete(t.s.Slots, st.Slot) // a reason or description belongs to one request
			continue
		}
		if v, ok := slots.Find(st.slotSpec(), t.text, t.e.now()); ok {
			t.s.Slots[st.Slot] = v
		}
	}
	t.runSteps()
	if t.bot().handoff[intent] && t.out.Handoff == nil && t.s.Flow == nil {
		t.handoff(intent, &HandoffStep{Summary: "Le client demande : " + t.intentName(intent)})
	}
}

// freeForm slot types accept any text, so they are never filled from the opening message.
func freeForm(typ string) bool {
	return typ == "" || typ == "text" || typ == "yes_no" || typ == "pattern"
}

// runSteps runs the flow from its current step until it needs the customer or ends.
func (t *turn) runSteps() {
	f := t.s.Flow
	e := t.entry(f.Intent)
	for ; f.Step < len(e.Steps); f.Step++ {
		st := &e.Steps[f.Step]
		switch {
		case len(st.Say) > 0:
			t.say(t.renderStep(t.pick(st.Say)), st.QuickReplies)
		case st.Slot != "":
			if _, known := t.s.Slots[st.Slot]; known {
				continue
			}
			t.say(t.renderStep(st.Ask), st.QuickReplies)
			return
		case st.Confirm != "":
			t.say(t.renderStep(st.Confirm), []string{"Oui", "Non"})
			return
		case st.Webhook != "":
			if !t.callWebhook(e, st) {
				t.s.Flow = nil
				return
			}
		case st.Handoff != nil:
			t.handoff(f.Intent, st.Handoff)
		case st.End != nil:
			t.say(t.renderStep(*st.End), nil)
			t.out.End = true
			t.s.Flow = nil
			return
		}
	}
	t.s.Flow = nil
}

func (t *turn) callWebhook(e *Entry, st *Step) bool {
	hook := t.bot().Settings.Webhooks[st.Webhook]
	answer, err := t.e.caller.Call(t.ctx, Call{Name: st.Webhook, Webhook: hook, Intent: e.Intent, ConversationID: t.id, Slots: t.s.Slots})
	if err != nil {
		t.e.log.Warn("webhook en échec", "webhook", st.Webhook, "intent", e.Intent, "err", err)
		t.say(t.renderStep(st.Fallback), nil)
		return false
	}
	t.s.Webhook = answer
	return true
}

func (t *turn) handoff(intent string, h *HandoffStep) {
	category := h.Category
	if category == "" {
		if in, ok := t.bot().Catalogue.Intent(intent); ok {
			category = in.Category
		}
	}
	priority := h.Priority
	if priority == "" {
		priority = "normal"
	}
	t.out.Handoff = &Handoff{Intent: intent, Category: category, Priority: priority, Summary: t.renderStep(h.Summary)}
	t.s.WaitingForAgent = true
}

// answerFlow handles a message while a flow waits for the customer. It returns false when the
// message is not for the flow and should be answered as a new request.
func (t *turn) answerFlow() bool {
	f := t.s.Flow
	st := &t.entry(f.Intent).Steps[f.Step]
	spec := st.slotSpec()
	if st.Confirm != "" {
		spec = slots.Spec{Type: "yes_no"}
	}
	if v, ok := slots.Find(spec, t.text, t.e.now()); ok {
		t.out.Understood, t.out.Intent = true, f.Intent
		f.Tries = 0
		if st.Confirm != "" {
			if v != "oui" {
				t.say(t.renderStep(st.No), nil)
				t.s.Flow = nil
				return true
			}
		} else {
			t.s.Slots[st.Slot] = v
		}
		f.Step++
		t.runSteps()
		return true
	}
	return t.digressOrRetry(st)
}

// digressOrRetry answers another intent asked in the middle of a flow, or asks again.
func (t *turn) digressOrRetry(st *Step) bool {
	f := t.s.Flow
	d := t.classify()
	if d.Status == intents.Understood && d.Intent != f.Intent {
		other := t.entry(d.Intent)
		if other != nil && IsFlow(other) {
			return false // a new request with its own questions replaces the current one
		}
		t.out.Understood = true
		t.startIntent(d.Intent)
		t.s.Flow = f
		t.say(t.bot().Settings.Resume, nil)
		t.reask(st)
		return true
	}
	f.Tries++
	if f.Tries >= 3 {
		t.s.Flow = nil
		set := t.bot().Settings
		t.say(set.OfferAgent.Text, set.OfferAgent.QuickReplies)
		return true
	}
	if st.Retry != "" {
		t.say(t.renderStep(st.Retry), st.QuickReplies)
		return true
	}
	t.reask(st)
	return true
}

func (t *turn) reask(st *Step) {
	if st.Confirm != "" {
		t.say(t.renderStep(st.Confirm), []string{"Oui", "Non"})
		return
	}
	t.say(t.renderStep(st.Ask), st.QuickReplies)
}

// IsFlow reports whether an entry asks the customer something.
func IsFlow(e *Entry) bool {
	for _, st := range e.Steps {
		if st.Slot != "" || st.Confirm != "" {
			return true
		}
	}
	return false
}

func (t *turn) say(text string, quickReplies []string) {
	if text == "" {
		return
	}
	t.out.Replies = append(t.out.Replies, Reply{Text: text, QuickReplies: quickReplies})
}

// pick chooses a variant; the choice depends on the conversation and the turn only, so
// conversation tests are repeatable.
func (t *turn) pick(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	h := fnv.New32a()
	h.Write([]byte(t.id))
	h.Write([]byte{byte(t.s.Turns), byte(len(t.out.Replies))})
	return vs[int(h.Sum32()%uint32(len(vs)))]
}

// renderStep fills a text's template with the session's slots and webhook answer.
func (t *turn) renderStep(text string) string {
	data := make(map[string]any, len(t.s.Slots)+1)
	for k, v := range t.s.Slots {
		data[k] = v
	}
	data["webhook"] = t.s.Webhook
	return t.render(text, data)
}

func (t *turn) render(text string, data map[string]any) string {
	if !strings.Contains(text, "{{") {
		return text
	}
	tmpl, err := parseTemplate(text)
	if err != nil {
		return text // dialog check refuses such files; never show a broken template
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, data); err != nil {
		return text
	}
	return strings.ReplaceAll(b.String(), "<no value>", "")
}

var cancelWords = map[string]bool{
	"annuler": true, "annule": true, "stop": true, "laisse tomber": true, "laissez tomber": true,
	"abandonner": true, "abandon": true, "on arrete": true, "arrete": true, "non merci annuler": true,
}

// isCancel reports whether the customer asks to leave the current flow.
func isCancel(text string) bool {
	return cancelWords[fold(text)]
}

// fold lowers case, drops accents and punctuation: "Laisse tomber !" → "laisse tomber".
func fold(s string) string {
	return strings.Join(intents.Normalize(s), " ")
}
