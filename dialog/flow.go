package dialog

import (
	"github.com/relais/relais/dialog/slots"
	"github.com/relais/relais/intents"
)

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
		case st.Webhook != "" && t.ahead:
			t.blocked = true
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
