package dialog

import (
	"strings"

	"github.com/relais/relais/dialog/slots"
	"github.com/relais/relais/intents"
)

// answerFlow reads a message while a flow waits for the customer, first as the answer to its
// question. It returns false when the message is a new request that replaces the flow.
func (t *turn) answerFlow() bool {
	if isCancel(t.text) {
		t.s.Flow, t.s.Later = nil, ""
		t.say(t.bot().Settings.Cancelled, nil)
		t.out.Understood = true
		return true
	}
	st, intent := t.pendingStep(), t.s.Flow.Intent
	answered := false
	if st.Confirm != "" {
		answered = t.answerConfirm(st)
	} else {
		answered = t.answerSlot(st)
	}
	if answered {
		t.out.Understood, t.out.Intent = true, intent
		return true
	}
	return t.notAnAnswer(st)
}

// pendingStep is the step of the flow waiting for the customer.
func (t *turn) pendingStep() *Step {
	return &t.entry(t.s.Flow.Intent).Steps[t.s.Flow.Step]
}

// answerSlot fills the pending slot from the message, when it holds a value of the slot's
// type that keeps the designer's limits. A refused value is explained and asked again; an
// ambiguous date is asked back. It returns false when the message holds no such value.
func (t *turn) answerSlot(st *Step) bool {
	f := t.s.Flow
	spec := st.slotSpec()
	if spec.Type == "text" && !t.describes() {
		return false
	}
	v, ok := t.clarified(spec)
	if !ok {
		if v, ok = slots.Find(spec, t.text, t.now()); !ok && st.Optional && skips(t.text) {
			v, ok = "", true // « non », « passer »: an optional slot stays empty
		}
		if !ok {
			return false
		}
		if alts := slots.Ambiguous(spec, t.text, t.now()); len(alts) == 2 {
			t.clarify(alts)
			return true
		}
	}
	f.Clarify = nil
	if why := spec.Limits.Explain(spec, v, t.now()); v != "" && why != "" {
		t.retry(st, why)
		return true
	}
	t.s.Slots[st.Slot] = v
	t.companions(f.Step)
	f.Tries = 0
	f.Step++
	t.runSteps()
	return true
}

// describes tells whether a reply can be the free text a slot asks for (a description, a
// reason): thanks, a goodbye, a bare yes or no, or giving up are not.
func (t *turn) describes() bool {
	short := len(strings.Fields(t.text)) <= 5
	_, yesNo := slots.YesNo(t.text)
	return !(thanksOnly(t.text) || short && (yesNo || t.saysGoodbye() || saysStop(t.text)))
}

// skips tells whether the customer declines to give an optional value.
func skips(text string) bool {
	if v, ok := slots.YesNo(text); ok && v == "non" {
		return true
	}
	return skipWords[fold(text)]
}

var skipWords = map[string]bool{"passer": true, "je passe": true, "aucun": true, "aucune": true, "rien": true,
	"pas de": true, "sans": true, "je n en ai pas": true, "j en ai pas": true, "pas besoin": true}

// clarified reads the answer to the question « vous voulez dire X ou Y ? »: a position
// (« le premier ») picks one of them.
func (t *turn) clarified(spec slots.Spec) (string, bool) {
	alts := t.s.Flow.Clarify
	if len(alts) == 0 {
		return "", false
	}
	if i, ok := slots.Position(t.text, len(alts)); ok {
		return alts[i], true
	}
	return "", false
}

// clarify asks which of two dates the customer means.
func (t *turn) clarify(alts []string) {
	t.s.Flow.Clarify = alts
	names := []string{slots.FrenchWeekdayDate(alts[0]), slots.FrenchWeekdayDate(alts[1])}
	t.say(t.render(t.bot().Settings.ClarifyDate, map[string]any{"first": names[0], "second": names[1]}), names)
}

// companions fills, from the same answer, the slots that complete the one just filled: a
// time given with a date (« samedi à 11h »), a date given with a time. A companion value
// outside its limits is explained before its question.
func (t *turn) companions(filled int) {
	steps := t.entry(t.s.Flow.Intent).Steps
	kinds := map[string]bool{"date": true, "time": true}
	if !kinds[steps[filled].Type] {
		return
	}
	for i := filled + 1; i < len(steps); i++ {
		st := &steps[i]
		if st.Slot == "" || !kinds[st.Type] || st.Type == steps[filled].Type {
			continue
		}
		if _, known := t.s.Slots[st.Slot]; known {
			continue
		}
		spec := st.slotSpec()
		v, ok := slots.Find(spec, t.text, t.now())
		if !ok {
			continue
		}
		if why := spec.Limits.Explain(spec, v, t.now()); why != "" {
			t.say(why, nil)
			continue
		}
		t.s.Slots[st.Slot] = v
	}
}

// answerConfirm reads the answer to a confirmation: a new value of one of the flow's slots
// (« non, c'est le 07 98 76 54 32 ») replaces it and asks again; yes goes on; no ends the flow.
func (t *turn) answerConfirm(st *Step) bool {
	f := t.s.Flow
	// A new value wins over the yes or no around it: « oui mais à 15h », « non, le 07… ».
	if t.correct() {
		return true
	}
	v, yesNo := slots.YesNo(t.text)
	if yesNo && v == "oui" {
		f.Tries = 0
		f.Step++
		t.runSteps()
		return true
	}
	if yesNo {
		t.say(t.renderStep(st.No), nil)
		t.s.Flow, t.s.Later = nil, ""
		return true
	}
	return false
}

// correct replaces the values of the flow's slots that the message gives anew, and asks
// for confirmation again. It returns false when the message corrects nothing.
func (t *turn) correct() bool {
	f := t.s.Flow
	steps := t.entry(f.Intent).Steps
	changed := false
	var refused []string
	for i := range f.Step {
		st := &steps[i]
		if st.Slot == "" || freeForm(st.Type) {
			continue
		}
		spec := st.slotSpec()
		v, ok := slots.Find(spec, t.text, t.now())
		if !ok || v == t.s.Slots[st.Slot] {
			continue
		}
		if why := spec.Limits.Explain(spec, v, t.now()); why != "" {
			refused = append(refused, why)
			continue
		}
		t.s.Slots[st.Slot] = v
		changed = true
	}
	if !changed && len(refused) == 0 {
		return false
	}
	for _, why := range refused {
		t.say(why, nil)
	}
	f.Tries = 0
	t.reask(&steps[f.Step])
	return true
}

// notAnAnswer handles a message that does not answer the pending question. It returns false
// when the message is a new request with questions of its own, which replaces the flow.
func (t *turn) notAnAnswer(st *Step) bool {
	f := t.s.Flow
	if _, handled := t.mood(f.Intent); handled {
		return true
	}
	d := t.classify()
	other := d.Status == intents.Understood && d.Intent != f.Intent && t.entry(d.Intent) != nil
	switch {
	case saysStop(t.text) && !(d.Status == intents.Understood && d.Intent == f.Intent):
		// « je veux annuler ma commande » in the cancellation flow is its request again.
		t.s.Flow, t.s.Later = nil, ""
		t.out.Understood = true
		t.say(t.bot().Settings.Cancelled, nil)
		return true
	case other && t.endsFlow(d.Intent):
		// A human or a goodbye ends the flow: nothing of it is asked again. The agent learns
		// what the customer was doing.
		t.s.Flow, t.s.Later = nil, ""
		t.out.Understood = true
		t.startIntent(d.Intent)
		if h := t.out.Handoff; h != nil {
			h.Summary += " — pendant « " + t.intentName(f.Intent) + " »" + t.given(f.Intent)
		}
		return true
	case other && t.digresses(d):
		if IsFlow(t.entry(d.Intent)) {
			return false
		}
		t.out.Understood = true
		t.startIntent(d.Intent)
		if t.out.Handoff != nil {
			return true
		}
		t.s.Flow = f
		t.say(t.bot().Settings.Resume, nil)
		t.reask(st)
		return true
	}
	t.out.Intent = f.Intent
	t.retry(st, "")
	return true
}

// given lists the values the customer gave in a flow: " (order_number : CMD-48213)".
func (t *turn) given(intent string) string {
	var parts []string
	for _, st := range t.entry(intent).Steps {
		if v := t.s.Slots[st.Slot]; st.Slot != "" && v != "" {
			parts = append(parts, st.Slot+" : "+v)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// endsFlow tells whether a request ends the flow in progress: a human asked for, or a goodbye
// (with words of leave-taking: « merci » alone is no goodbye).
func (t *turn) endsFlow(intent string) bool {
	human := t.bot().handoff[intent] && !IsFlow(t.entry(intent))
	return human || t.endsConversation(intent) && t.saysGoodbye()
}

// digresses tells whether a message that answers nothing is a new request: the classifier is
// sure enough, and the message is not shaped like a short answer (« d'accord », « #123 »).
func (t *turn) digresses(d intents.Decision) bool {
	return d.Confidence >= t.bot().Settings.DigressionConfidence && !slots.IsShortAnswer(t.text) &&
		!t.endsConversation(d.Intent)
}

// endsConversation tells whether an intent's entry closes the conversation (a goodbye).
func (t *turn) endsConversation(intent string) bool {
	for _, st := range t.entry(intent).Steps {
		if st.End != nil {
			return true
		}
	}
	return false
}

// saysGoodbye tells whether the message takes leave (« merci, au revoir »), not only thanks.
func (t *turn) saysGoodbye() bool {
	return hasAny(strings.Fields(fold(t.text)), goodbyeWords)
}

// retry asks the pending question again after a failed answer, with why it failed (a limit)
// and how to leave; after max_retries failed answers it offers a human instead.
func (t *turn) retry(st *Step, why string) {
	f := t.s.Flow
	set := t.bot().Settings
	f.Tries++
	if f.Tries >= set.MaxRetries {
		f.Tries = 0
		t.offer(set.RetriesExhausted, f.Intent, "Le client a besoin d'aide pour « "+t.intentName(f.Intent)+" »"+t.given(f.Intent)+
			" : l'assistant n'a pas compris ses réponses, la dernière : « "+t.text+" ».")
		return
	}
	question := st.Retry
	if question == "" || why != "" {
		question = st.Ask
	}
	if st.Confirm != "" {
		question = st.Confirm
	}
	text := strings.TrimSpace(why + " " + t.renderStep(question))
	if !strings.Contains(fold(text), "annuler") {
		text += " " + set.RetryHint
	}
	t.say(text, t.stepQuickReplies(st))
}

// reask asks the pending question again, as first asked.
func (t *turn) reask(st *Step) {
	if st.Confirm != "" {
		t.say(t.renderStep(st.Confirm), []string{"Oui", "Non"})
		return
	}
	t.say(t.renderStep(st.Ask), st.QuickReplies)
}

// stepQuickReplies are the buttons of a question asked again: its own, or the ways out.
func (t *turn) stepQuickReplies(st *Step) []string {
	if st.Confirm != "" {
		return []string{"Oui", "Non"}
	}
	if len(st.QuickReplies) > 0 {
		return st.QuickReplies
	}
	return []string{"Annuler", "Parler à un conseiller"}
}
