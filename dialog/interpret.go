package dialog

import (
	"slices"
	"strings"
	"time"

	"github.com/relais/relais/dialog/slots"
	"github.com/relais/relais/intents"
)

// The order in which a customer's message is read (see README.md, « Interprétation ») :
//
//  1. a pending offer of a human takes a yes or a no (« ouais », « non merci »);
//  2. inside a flow, « annuler » leaves it; the pending slot's parser, or at a confirmation
//     the yes/no lexicon and corrections (« non, c'est le 07… »), read the answer;
//  3. what is not an answer: a request for a human or a goodbye ends the flow; abuse gets a
//     calm answer; another language an answer in it; a clear new request (the classifier is
//     sure and the text is not shaped like a short answer) is a digression; anything else is
//     a failed answer, and after max_retries the customer is offered a human;
//  4. outside a flow: a choice offered as quick replies (« le deuxième »), thanks (« Puis-je
//     faire autre chose pour vous ? », whose no takes leave), a bare yes or no (« Que puis-je
//     faire pour vous ? »), abuse, another language, then the classifier, with two requests in
//     one message answered in turn.

// answerOffer reads the answer to a pending offer of a human. It returns false when the
// message is neither yes nor no: the offer lapses and the message is read as usual.
func (t *turn) answerOffer() bool {
	offer := t.s.Offer
	t.s.Offer = nil
	v, ok := slots.YesNo(t.text)
	if !ok || !slots.IsShortAnswer(t.text) && t.classifiedRequest() {
		return false
	}
	t.out.Understood = true
	set := t.bot().Settings
	if v == "oui" {
		t.s.Flow, t.s.Later = nil, ""
		agent := t.agentIntent()
		intent := offer.Intent
		if intent == "" {
			intent = agent
		}
		t.out.Intent = agent
		t.handoff(intent, &HandoffStep{Summary: offer.Summary})
		t.say(set.OfferAccepted, nil)
		return true
	}
	if t.s.Flow != nil {
		t.s.Flow.Tries = 0
		t.reask(t.pendingStep())
		return true
	}
	t.say(set.OfferDeclined.Text, set.OfferDeclined.QuickReplies)
	return true
}

// agentIntent is the intent of asking for a human: the first of handoff_intents that asks
// nothing (mise_en_relation_agent in the built-in bot), "" when there is none.
func (t *turn) agentIntent() string {
	for _, id := range t.bot().Settings.HandoffIntents {
		if e := t.entry(id); e != nil && !IsFlow(e) {
			return id
		}
	}
	return ""
}

// answerAnythingElse reads the answer to « Puis-je faire autre chose pour vous ? »: no takes
// leave (the bot's goodbye), yes asks what. Anything else is read as usual.
func (t *turn) answerAnythingElse() bool {
	t.s.AnythingElse = false
	v, ok := slots.YesNo(t.text)
	if !ok || !slots.IsShortAnswer(t.text) {
		return false
	}
	t.out.Understood = true
	if goodbye := t.goodbyeIntent(); v == "non" && goodbye != "" {
		t.out.Intent = goodbye
		t.startIntent(goodbye)
		return true
	}
	set := t.bot().Settings
	t.say(set.Neutral.Text, set.Neutral.QuickReplies)
	return true
}

// goodbyeIntent is the intent whose entry closes the conversation (conclusion in the built-in
// bot), "" when there is none.
func (t *turn) goodbyeIntent() string {
	for _, in := range t.bot().Catalogue.Intents {
		if e := t.entry(in.ID); e != nil && t.endsConversation(in.ID) {
			return in.ID
		}
	}
	return ""
}

// thanksOnly tells a message that only thanks (« merci beaucoup », « super, merci ») from one
// that takes leave (« merci, au revoir », « merci c'est tout »).
func thanksOnly(text string) bool {
	words := strings.Fields(fold(text))
	if len(words) == 0 || !slices.Contains(words, "merci") {
		return false
	}
	for _, w := range words {
		if !thanksWords[w] {
			return false
		}
	}
	return true
}

var thanksWords = map[string]bool{
	"merci": true, "beaucoup": true, "bien": true, "mille": true, "fois": true, "infiniment": true,
	"super": true, "parfait": true, "ok": true, "top": true, "genial": true, "cool": true, "nickel": true,
	"c": true, "est": true, "gentil": true, "sympa": true, "tres": true, "a": true, "vous": true, "bcp": true, "mrc": true, "oui": true,
}

// classifiedRequest tells whether the message is clearly a request of its own.
func (t *turn) classifiedRequest() bool {
	return t.classifier.Classify(t.text).Status == intents.Understood
}

// offer proposes a human agent and waits for the customer's yes or no.
func (t *turn) offer(m Message, intent, summary string) {
	t.s.Offer = &OfferState{Intent: intent, Summary: summary}
	t.say(m.Text, m.QuickReplies)
}

// request answers a message that answers no pending question.
func (t *turn) request() {
	if choice := t.pickChoice(); choice != "" {
		t.s.Misses = 0
		t.out.Understood, t.out.Intent, t.out.Confidence = true, choice, 1
		t.startIntent(choice)
		return
	}
	set := t.bot().Settings
	if thanksOnly(t.text) {
		t.out.Understood, t.out.Intent = true, t.goodbyeIntent()
		t.s.AnythingElse = true
		t.say(set.Thanks.Text, set.Thanks.QuickReplies)
		return
	}
	if t.bareAnswer() {
		t.out.Understood = true
		t.say(set.Neutral.Text, set.Neutral.QuickReplies)
		return
	}
	text, handled := t.mood("")
	if handled {
		return
	}
	if t.twoRequests() {
		return
	}
	t.decide(t.classifyText(text))
}

// mood answers abuse calmly and a message in another language in that language, both with
// the offer of a human (for intent, "" outside a flow). Otherwise it returns the text to
// classify: the message without its insults when a real request remains.
func (t *turn) mood(intent string) (string, bool) {
	set := t.bot().Settings
	rest, insulted := intents.StripInsults(t.text)
	if insulted && len(strings.Fields(rest)) < 3 {
		t.out.Understood = true
		t.offer(set.Insult, intent, "Client mécontent : il a été désagréable avec l'assistant.")
		return "", true
	}
	if lang := intents.Language(t.text); lang != "" {
		if m, ok := set.OtherLanguages[lang]; ok {
			t.out.Understood = true
			t.offer(m, intent, "Le client écrit dans une autre langue que le français ("+lang+").")
			return "", true
		}
	}
	if insulted {
		return rest, false
	}
	return t.text, false
}

// bareAnswer tells whether the message is only a yes or a no (« ok », « non merci »), which
// outside any question asks for nothing.
func (t *turn) bareAnswer() bool {
	if _, ok := slots.YesNo(t.text); !ok {
		return false
	}
	words := strings.Fields(fold(t.text))
	return len(words) <= 4 && !hasAny(words, goodbyeWords)
}

// goodbyeWords say goodbye; « merci » alone does not (it often means yes or thanks).
var goodbyeWords = map[string]bool{"revoir": true, "bye": true, "ciao": true, "bientot": true, "adieu": true, "journee": true, "soiree": true}

func hasAny(words []string, set map[string]bool) bool {
	for _, w := range words {
		if set[w] {
			return true
		}
	}
	return false
}

// pickChoice returns the intent the customer chose among the quick replies of a
// disambiguation or a second request: by its name, a part of it, or its position.
func (t *turn) pickChoice() string {
	choices := t.s.Choices
	t.s.Choices = nil
	said := fold(t.text)
	if said == "" || len(choices) == 0 {
		return ""
	}
	for _, id := range choices {
		name := fold(t.intentName(id))
		if said == name || strings.Contains(name, said) && len(said) > 5 {
			return id
		}
	}
	if i, ok := slots.Position(t.text, len(choices)); ok && len(choices) > 1 {
		return choices[i]
	}
	if v, ok := slots.YesNo(t.text); ok && v == "oui" && len(choices) == 1 && slots.IsShortAnswer(t.text) {
		return choices[0]
	}
	return ""
}

// twoRequests answers a message that asks two things (« les horaires et les moyens de
// paiement »): both when both are simple answers, else the first, the second offered as a
// quick reply (at once, or when the first one's flow ends).
func (t *turn) twoRequests() bool {
	first, second, ok := t.splitRequests()
	if !ok {
		return false
	}
	t.s.Misses = 0
	t.out.Understood, t.out.Intent = true, first
	if !IsFlow(t.entry(first)) && !IsFlow(t.entry(second)) && !t.bot().handoff[first] && !t.bot().handoff[second] {
		t.startIntent(first)
		t.startIntent(second)
		return true
	}
	t.startIntent(first)
	switch {
	case t.out.Handoff != nil || t.out.End:
	case t.s.Flow != nil:
		t.s.Later = second
	default:
		t.offerLater(second)
	}
	return true
}

// splitRequests cuts the message at « et », « puis », « aussi » or a sentence end into two
// parts the classifier understands as two different intents.
func (t *turn) splitRequests() (first, second string, ok bool) {
	if len(strings.Fields(t.text)) < 6 {
		return "", "", false
	}
	for _, sep := range requestSeparators {
		i := strings.Index(strings.ToLower(t.text), sep)
		if i <= 0 {
			continue
		}
		a, b := t.text[:i], t.text[i+len(sep):]
		if len(strings.Fields(a)) < 2 || len(strings.Fields(b)) < 2 {
			continue
		}
		da, db := t.classifier.Classify(a), t.classifier.Classify(b)
		if da.Status == intents.Understood && db.Status == intents.Understood && da.Intent != db.Intent &&
			t.entry(da.Intent) != nil && t.entry(db.Intent) != nil {
			return da.Intent, db.Intent, true
		}
	}
	return "", "", false
}

// requestSeparators join two requests in one message, the most telling first.
var requestSeparators = []string{" et aussi ", " et puis ", " puis ", "? ", ". ", " et ", " aussi "}

// offerLater offers a second request as a quick reply.
func (t *turn) offerLater(intent string) {
	name := t.intentName(intent)
	t.s.Choices = []string{intent}
	t.say(t.render(t.bot().Settings.AlsoAsked, map[string]any{"intent": name}), []string{name})
}

// now is the turn's clock in the bot's time zone.
func (t *turn) now() time.Time {
	if loc := t.bot().loc; loc != nil {
		return t.e.now().In(loc)
	}
	return t.e.now()
}
