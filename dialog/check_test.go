package dialog_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/relais/relais/dialog"
	"github.com/relais/relais/intents"
)

// TestCheckReportsProblems breaks a copy of the test bot in one way per case and expects
// dialog check's message, located as file:line.
func TestCheckReportsProblems(t *testing.T) {
	tests := []struct {
		name, file, old, new, want string
	}{
		{name: "unknown intent", file: "dialog/flows.yaml", old: "  horaires_magasin:", new: "  horaires_magasin:\n    say: x\n  pas_une_intention:", want: `flows.yaml:24: intention inconnue "pas_une_intention"`},
		{name: "intent without answer", file: "dialog/flows.yaml", old: "  aucun:\n    say: \"Je ne peux pas vous aider sur ce sujet.\"", new: "", want: "test.yaml:23: l'intention aucun (Aucun) n'a pas de réponse"},
		{name: "template names a missing slot", file: "dialog/flows.yaml", old: "Un conseiller finalise l'annulation.", new: "Un conseiller finalise {{.numero}}.", want: "flows.yaml:21: annuler_commande : le modèle nomme {{.numero}}"},
		{name: "template names a later slot", file: "dialog/flows.yaml", old: "ask: \"Quel est votre numéro de commande ?\"", new: "ask: \"Quel est votre numéro {{.order_number}} ?\"", want: "flows.yaml:4: statut_commande : le modèle nomme {{.order_number}}"},
		{name: "unreachable step", file: "dialog/flows.yaml", old: "      - end: \"Merci, au revoir !\"", new: "      - end: \"Merci, au revoir !\"\n      - say: \"jamais dit\"", want: "flows.yaml:29: conclusion : étape inaccessible"},
		{name: "bad regular expression", file: "dialog/flows.yaml", old: "type: order_number\n        ask: \"Quel est votre", new: "type: pattern\n        pattern: \"([a-z\"\n        ask: \"Quel est votre", want: "flows.yaml:4: statut_commande : slot order_number : expression régulière invalide"},
		{name: "unknown slot type", file: "dialog/flows.yaml", old: "type: order_number\n        ask: \"Quel est votre", new: "type: couleur\n        ask: \"Quel est votre", want: "flows.yaml:4: statut_commande : slot order_number : type de slot inconnu « couleur »"},
		{name: "undefined webhook", file: "dialog/flows.yaml", old: "webhook: order_status", new: "webhook: inconnu", want: `flows.yaml:8: statut_commande : webhook "inconnu" non défini`},
		{name: "unknown key", file: "dialog/flows.yaml", old: "      - say: \"Votre commande", new: "      - sey: \"Votre commande", want: "flows.yaml:10: statut_commande : clé inconnue « sey »"},
		{name: "two kinds in one step", file: "dialog/flows.yaml", old: "        fallback: \"Le suivi est indisponible.\"", new: "        fallback: \"Le suivi est indisponible.\"\n        say: \"et ceci\"", want: "flows.yaml:8: statut_commande : une étape ne fait qu'une chose, pas say+webhook"},
		{name: "confirm without no", file: "dialog/flows.yaml", old: "        no: \"Très bien, je ne change rien.\"\n", new: "", want: "flows.yaml:16: annuler_commande : confirm : le texte « no »"},
		{name: "duplicate entry", file: "dialog/flows.yaml", old: "  aucun:\n", new: "  horaires_magasin:\n    say: y\n  aucun:\n", want: "flows.yaml:29: horaires_magasin a déjà une entrée ("},
		{name: "duplicate example across intents", file: "intents/test.yaml", old: `examples: ["horaires"]`, new: `examples: ["Où en est ma commande ?"]`, want: `test.yaml:11: l'exemple "Où en est ma commande ?" est aussi dans statut_commande`},
		{name: "YAML syntax", file: "dialog/flows.yaml", old: "intents:", new: "intents: [", want: "flows.yaml:2: YAML invalide"},
		{name: "limit on a type it does not fit", file: "dialog/flows.yaml", old: "type: order_number\n        ask: \"Quel est votre", new: "type: order_number\n        min: 3\n        ask: \"Quel est votre", want: "flows.yaml:4: statut_commande : slot order_number : « min » et « max » ne servent qu'aux types"},
		{name: "unknown weekday", file: "dialog/flows.yaml", old: "weekdays: [lundi, mardi,", new: "weekdays: [lundy, mardi,", want: "flows.yaml:37: prendre_rendez_vous : slot jour : jour inconnu « lundy »"},
		{name: "malformed hours", file: "dialog/flows.yaml", old: `hours: ["10:00-18:30"]`, new: `hours: ["10h-18h"]`, want: "plage horaire invalide « 10h-18h »"},
		{name: "min above max", file: "dialog/flows.yaml", old: "        min: 1\n", new: "        min: 10\n        max: 5\n", want: "« min » (10) est plus grand que « max » (5)"},
		{name: "limit on a say step", file: "dialog/flows.yaml", old: "      - say: \"Votre commande", new: "      - max_days: 3\n        say: \"Votre commande", want: "flows.yaml:10: statut_commande : les limites"},
		{name: "unknown time zone", file: "dialog/bot.yaml", old: "handoff_intents:", new: "time_zone: Europe/Lyon\nhandoff_intents:", want: "fuseau horaire inconnu \"Europe/Lyon\""},
		{name: "bad order number pattern", file: "dialog/bot.yaml", old: "handoff_intents:", new: "order_number_pattern: \"([\"\nhandoff_intents:", want: "order_number_pattern"},
		{name: "unknown handoff intent", file: "dialog/bot.yaml", old: "handoff_intents: [mise_en_relation_agent]", new: "handoff_intents: [agent]", want: `bot.yaml:1: bot.yaml : handoff_intents : intention inconnue "agent"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyBot(t)
			edit(t, filepath.Join(dir, tt.file), tt.old, tt.new)
			_, err := dialog.LoadBot(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got\n%v\nwant a problem containing %q", err, tt.want)
			}
		})
	}
}

func TestBuiltinBotChecks(t *testing.T) {
	bot, err := dialog.LoadBot("")
	if err != nil {
		t.Fatal(err)
	}
	flows := 0
	for _, e := range bot.Entries {
		if dialog.IsFlow(e) {
			flows++
		}
	}
	if len(bot.Entries) != 76 || flows < 15 {
		t.Errorf("got %d answers and %d multi-turn flows, want 76 and at least 15", len(bot.Entries), flows)
	}
	tests, err := dialog.ReadTests(dialog.BuiltinTestsFS(), "tests")
	if err != nil || len(tests) < 40 {
		t.Errorf("got %d conversation tests (%v), want at least 40", len(tests), err)
	}
	if _, err := os.Stat("bot/dialog/bot.yaml"); err != nil {
		t.Error(err)
	}
}

// TestBuiltinConversations runs the built-in bot's conversation tests (relais dialog test)
// with a classifier trained on its catalogue, as the server runs it.
func TestBuiltinConversations(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the built-in classifier")
	}
	bot, classifier := builtinBot(t)
	tests, err := dialog.ReadTests(dialog.BuiltinTestsFS(), "tests")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range dialog.RunTests(context.Background(), bot, classifier, tests) {
		for _, f := range r.Failures {
			t.Errorf("%s:%d « %s » : %s", r.Test.File, r.Test.Line, r.Test.Name, f)
		}
	}
}

var builtin struct {
	once       sync.Once
	bot        *dialog.Bot
	classifier *intents.Classifier
	err        error
}

// builtinBot is the built-in bot and a classifier trained on its catalogue, trained once.
func builtinBot(t *testing.T) (*dialog.Bot, *intents.Classifier) {
	t.Helper()
	if testing.Short() {
		t.Skip("trains the built-in classifier")
	}
	builtin.once.Do(func() {
		if builtin.bot, builtin.err = dialog.LoadBot(""); builtin.err != nil {
			return
		}
		m, err := intents.Train(builtin.bot.Catalogue.Examples(), intents.DefaultTrainConfig())
		builtin.classifier, builtin.err = intents.NewClassifier(m), err
	})
	if builtin.err != nil {
		t.Fatal(builtin.err)
	}
	return builtin.bot, builtin.classifier
}

// TestBareAnswersAskForNothing: a yes, a no or an ok that answers no question is never read
// as a request, although the classifier alone is sure of unrelated intents for many of them.
func TestBareAnswersAskForNothing(t *testing.T) {
	bot, classifier := builtinBot(t)
	answers := []string{"oui", "non", "ok", "okay", "d'accord", "ouais", "nan", "c'est bon", "oui oui", "non non",
		"si", "yes", "no", "bien sûr", "pas du tout", "carrément", "vas-y", "ça marche", "non merci", "ok d'accord",
		"exactement", "voilà", "tout à fait", "absolument", "surtout pas", "pas vraiment", "dac", "ok ok", "oui je veux bien", "ça me va"}
	confident := 0
	for _, a := range answers {
		if d := classifier.Classify(a); d.Status == intents.Understood && d.Confidence >= 0.5 {
			confident++
		}
		e := dialog.NewEngine(bot, classifier, dialog.NewMemorySessions(), dialog.Options{})
		turn, err := e.Handle(context.Background(), "c1", a)
		if err != nil {
			t.Fatal(err)
		}
		if turn.Intent != "" || len(turn.Replies) != 1 || !strings.Contains(turn.Replies[0].Text, "Que puis-je faire pour vous") || turn.End || turn.Handoff != nil {
			t.Errorf("%q: got intent %q and %+v, want the neutral question", a, turn.Intent, turn.Replies)
		}
	}
	t.Logf("the classifier alone is confident (≥ 0.5) of a content intent for %d of %d bare answers; the engine for none", confident, len(answers))
}
