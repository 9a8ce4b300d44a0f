package dialog

import (
	"strconv"

	"github.com/relais/relais/dialog/slots"
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
		spec := st.slotSpec()
		if v, ok := slots.Find(spec, t.text, t.now()); ok && spec.Limits.Explain(spec, v, t.now()) == "" &&
			slots.Ambiguous(spec, t.text, t.now()) == nil {
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
				t.s.Flow, t.s.Later = nil, ""
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
	if later := t.s.Later; later != "" && t.out.Handoff == nil {
		t.s.Later = ""
		t.offerLater(later)
	}
}

func (t *turn) callWebhook(e *Entry, st *Step) bool {
	if !t.checked {
		if t.err = Check(t.ctx); t.err != nil {
			return false
		}
		t.checked = true
	}
	hook := t.bot().Settings.Webhooks[st.Webhook]
	key := t.id + "-" + strconv.Itoa(t.s.Turns) + "-" + st.Webhook
	answer, err := t.e.caller.Call(t.ctx, Call{Name: st.Webhook, Webhook: hook, Intent: e.Intent, ConversationID: t.id,
		Key: key, Slots: t.s.Slots})
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

// IsFlow reports whether an entry asks the customer something.
func IsFlow(e *Entry) bool {
	for _, st := range e.Steps {
		if st.Slot != "" || st.Confirm != "" {
			return true
		}
	}
	return false
}
