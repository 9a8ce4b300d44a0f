package dialog

import (
	"hash/fnv"
	"strings"

	"github.com/relais/relais/intents"
)

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
	tmpl := t.bot().templates[text]
	if tmpl == nil {
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

// isCancel reports whether the customer asks to leave the current flow, in so many words.
func isCancel(text string) bool {
	return cancelWords[fold(text)]
}

// stopPhrases, found in a short reply, say the customer gives up the flow: « en fait non,
// laissez tomber », « non finalement je reste ».
var stopPhrases = []string{"laisse tomber", "laissez tomber", "annule", "annuler", "annulez", "j annule",
	"stop", "abandonne", "abandonner", "on arrete", "arretez", "arrete", "oublie", "oubliez", "tant pis",
	"finalement non", "non finalement", "je ne veux plus", "je veux plus", "plus besoin", "ca ira", "je reste"}

// saysStop tells whether a short reply gives up the flow (isCancel for whole sentences).
func saysStop(text string) bool {
	said := " " + fold(text) + " "
	if len(strings.Fields(said)) > 8 {
		return false
	}
	for _, p := range stopPhrases {
		if strings.Contains(said, " "+p+" ") {
			return true
		}
	}
	return false
}

// fold lowers case, drops accents and punctuation: "Laisse tomber !" → "laisse tomber".
func fold(s string) string {
	return strings.Join(intents.Normalize(s), " ")
}
