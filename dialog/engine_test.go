package dialog_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relais/relais/dialog"
	"github.com/relais/relais/intents"
	"github.com/relais/relais/store/storetest"
)

// scripted is a classifier that knows a few sentences; anything else is not understood.
type scripted map[string]intents.Decision

func (s scripted) Classify(text string) intents.Decision {
	if d, ok := s[text]; ok {
		return d
	}
	return intents.Decision{Status: intents.NotUnderstood, Rejected: true}
}

func understood(intent string) intents.Decision {
	return intents.Decision{Status: intents.Understood, Intent: intent, Confidence: 0.9,
		Ranked: []intents.Score{{Intent: intent, Confidence: 0.9}}}
}

var classifier = scripted{
	"où en est ma commande":           understood("statut_commande"),
	"où en est ma commande CMD-11111": understood("statut_commande"),
	"je veux annuler ma commande":     understood("annuler_commande"),
	"vous ouvrez à quelle heure":      understood("horaires_magasin"),
	"un conseiller":                   understood("mise_en_relation_agent"),
	"merci au revoir":                 understood("conclusion"),
	"la météo demain": {Status: intents.OutOfScope, Rejected: true, Confidence: 0.8,
		Ranked: []intents.Score{{Intent: "aucun", Confidence: 0.8}}},
	"commande": {Status: intents.Ambiguous, Intent: "statut_commande", Confidence: 0.45,
		Ranked: []intents.Score{{Intent: "statut_commande", Confidence: 0.45}, {Intent: "annuler_commande", Confidence: 0.4}},
		Pair:   []intents.Score{{Intent: "statut_commande", Confidence: 0.45}, {Intent: "annuler_commande", Confidence: 0.4}}},
}

func testBot(t testing.TB) *dialog.Bot {
	t.Helper()
	bot, err := dialog.LoadBot("testdata/bot")
	if err != nil {
		t.Fatal(err)
	}
	return bot
}

func newEngine(t testing.TB, webhooks dialog.CannedCaller) *dialog.Engine {
	return dialog.NewEngine(testBot(t), classifier, dialog.NewMemorySessions(), dialog.Options{Caller: webhooks})
}

// say sends the customer's messages one after the other and returns the last turn.
func say(t *testing.T, e *dialog.Engine, id string, messages ...string) dialog.Turn {
	t.Helper()
	var turn dialog.Turn
	for _, m := range messages {
		var err error
		if turn, err = e.Handle(context.Background(), id, m); err != nil {
			t.Fatal(err)
		}
	}
	return turn
}

func text(turn dialog.Turn) string {
	var parts []string
	for _, r := range turn.Replies {
		parts = append(parts, r.Text)
	}
	return strings.Join(parts, " | ")
}

func TestConversations(t *testing.T) {
	status := dialog.CannedCaller{"order_status": {"status": "expédiée"}}
	tests := []struct {
		name     string
		webhooks dialog.CannedCaller
		messages []string
		want     string // the last turn's replies, joined by " | "
		handoff  bool
		end      bool
	}{
		{name: "slot asked then filled", webhooks: status, messages: []string{"où en est ma commande", "c'est la CMD-48213"}, want: "Votre commande CMD-48213 est expédiée."},
		{name: "slot given in the first message", webhooks: status, messages: []string{"où en est ma commande CMD-11111"}, want: "Votre commande CMD-11111 est expédiée."},
		{name: "invalid value then retry", messages: []string{"où en est ma commande", "euh je sais plus"}, want: "Ce n'est pas un numéro de commande (ex. CMD-48213). Vous pouvez aussi écrire « annuler » pour arrêter, ou « conseiller » pour parler à une personne."},
		{name: "webhook fails: fallback", messages: []string{"où en est ma commande", "CMD-48213"}, want: "Le suivi est indisponible."},
		{name: "cancel inside a flow", messages: []string{"où en est ma commande", "annuler"}, want: "C'est annulé."},
		{name: "digression then resume", messages: []string{"où en est ma commande", "vous ouvrez à quelle heure"}, want: "Ouvert de 10 h à 19 h. | Revenons à votre demande. | Quel est votre numéro de commande ?"},
		{name: "confirm yes hands off", messages: []string{"je veux annuler ma commande", "CMD-48213", "oui"}, want: "Un conseiller finalise l'annulation.", handoff: true},
		{name: "confirm no", messages: []string{"je veux annuler ma commande", "CMD-48213", "non"}, want: "Très bien, je ne change rien."},
		{name: "known slot not asked again", messages: []string{"où en est ma commande", "CMD-48213", "je veux annuler ma commande"}, want: "J'annule la commande CMD-48213, d'accord ?"},
		{name: "agent on request", messages: []string{"un conseiller"}, want: "Je vous passe un conseiller.", handoff: true},
		{name: "not understood once", messages: []string{"blorpt"}, want: "Je n'ai pas compris."},
		{name: "two misses offer an agent", messages: []string{"blorpt", "zzkx"}, want: "Voulez-vous parler à un conseiller ?"},
		{name: "out of scope", messages: []string{"la météo demain"}, want: "Je ne peux pas vous aider sur ce sujet."},
		{name: "out of scope twice offers an agent", messages: []string{"la météo demain", "blorpt"}, want: "Voulez-vous parler à un conseiller ?"},
		{name: "an understood message resets the misses", messages: []string{"blorpt", "vous ouvrez à quelle heure", "zzkx"}, want: "Je n'ai pas compris."},
		{name: "disambiguation", messages: []string{"commande"}, want: "Vouliez-vous dire « Statut de la commande » ou « Annuler une commande » ?"},
		{name: "disambiguation answered", messages: []string{"commande", "Annuler une commande"}, want: "Quel est le numéro de la commande à annuler ?"},
		{name: "closing ends", messages: []string{"merci au revoir"}, want: "Merci, au revoir !", end: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t, tt.webhooks)
			turn := say(t, e, "c1", tt.messages...)
			if got := text(turn); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if (turn.Handoff != nil) != tt.handoff || turn.End != tt.end {
				t.Errorf("handoff %v end %v, want %v %v", turn.Handoff, turn.End, tt.handoff, tt.end)
			}
		})
	}
}

func TestHandoffCarriesSummary(t *testing.T) {
	e := newEngine(t, nil)
	turn := say(t, e, "c1", "je veux annuler ma commande", "CMD-48213", "oui")
	want := dialog.Handoff{Intent: "annuler_commande", Category: "test", Priority: "high", Summary: "Annulation de CMD-48213"}
	if turn.Handoff == nil || *turn.Handoff != want {
		t.Errorf("got %+v, want %+v", turn.Handoff, want)
	}
	s, _ := e.Session(context.Background(), "c1")
	if !s.WaitingForAgent {
		t.Error("session does not record that the conversation waits for an agent")
	}
}

func TestWelcome(t *testing.T) {
	turn, err := newEngine(t, nil).Start(context.Background(), "c1")
	if err != nil || len(turn.Replies) != 1 || turn.Replies[0].QuickReplies[0] != "Suivre ma commande" {
		t.Errorf("got %+v, %v", turn, err)
	}
}

// TestConcurrentMessagesKeepEveryUpdate sends messages of one conversation at the same time
// through two engines on one Redis: the lock serialises them, so no turn is lost.
func TestConcurrentMessagesKeepEveryUpdate(t *testing.T) {
	st := storetest.Open(t)
	sessions := &dialog.RedisSessions{Store: st, TTL: time.Minute}
	engines := []*dialog.Engine{
		dialog.NewEngine(testBot(t), classifier, sessions, dialog.Options{}),
		dialog.NewEngine(testBot(t), classifier, sessions, dialog.Options{}),
	}
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := engines[i%2].Handle(context.Background(), "c1", fmt.Sprintf("blorpt %d", i)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	s, err := engines[0].Session(context.Background(), "c1")
	if err != nil || s.Turns != n {
		t.Errorf("got %d turns recorded (%v), want %d", s.Turns, err, n)
	}
}

func TestSessionsExpire(t *testing.T) {
	st := storetest.Open(t)
	e := dialog.NewEngine(testBot(t), classifier, &dialog.RedisSessions{Store: st, TTL: 30 * time.Minute}, dialog.Options{})
	say(t, e, "c1", "où en est ma commande")
	ttl := st.Client.TTL(context.Background(), st.Key("dialog", "session", "{c1}")).Val()
	if ttl <= 29*time.Minute || ttl > 30*time.Minute {
		t.Errorf("session TTL %v, want 30m", ttl)
	}
}

func TestConversationTestsRun(t *testing.T) {
	bot := testBot(t)
	tests, err := dialog.ReadTests(os.DirFS("testdata/bot/tests"), "tests")
	if err != nil {
		t.Fatal(err)
	}
	results := dialog.RunTests(context.Background(), bot, classifier, tests)
	if len(results) != 1 || len(results[0].Failures) != 0 {
		t.Fatalf("got %+v", results)
	}
	// The same test must fail when the bot says something else.
	tests[0].Steps[1].ReplyContains = []string{"livrée"}
	results = dialog.RunTests(context.Background(), bot, classifier, tests)
	if len(results[0].Failures) != 1 || !strings.Contains(results[0].Failures[0], `ne contient pas "livrée"`) {
		t.Errorf("got failures %q, want one about « livrée »", results[0].Failures)
	}
}

// TestHotReload edits a copy of the test bot while the engine watches it.
func TestHotReload(t *testing.T) {
	dir := copyBot(t)
	reloads := make(chan error, 10)
	bot, err := dialog.LoadBot(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := dialog.NewEngine(bot, classifier, dialog.NewMemorySessions(), dialog.Options{OnReload: func(err error) { reloads <- err }})
	say(t, e, "c1", "où en est ma commande") // a conversation in a flow survives reloads
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	train := func(*dialog.Bot) (dialog.Classifier, error) { return classifier, nil }
	e.Watch(ctx, dir, 20*time.Millisecond, train)

	flows := filepath.Join(dir, "dialog", "flows.yaml")
	edit(t, flows, "Ouvert de 10 h à 19 h.", "Ouvert de 9 h à 20 h.")
	if err := next(t, reloads); err != nil {
		t.Fatalf("valid edit refused: %v", err)
	}
	if got := text(say(t, e, "c2", "vous ouvrez à quelle heure")); got != "Ouvert de 9 h à 20 h." {
		t.Errorf("after the edit: got %q", got)
	}

	edit(t, flows, "say: \"Ouvert de 9 h à 20 h.\"", "sey: oups")
	if err := next(t, reloads); err == nil || !strings.Contains(err.Error(), "flows.yaml") {
		t.Fatalf("broken edit: got %v, want problems located in flows.yaml", err)
	}
	if got := text(say(t, e, "c3", "vous ouvrez à quelle heure")); got != "Ouvert de 9 h à 20 h." {
		t.Errorf("after a broken edit: got %q, want the previous version", got)
	}
	if got := text(say(t, e, "c1", "CMD-48213")); got != "Le suivi est indisponible." {
		t.Errorf("conversation started before the reloads: got %q, want its flow to go on", got)
	}
}

// next returns the next reload's outcome, failing the test after 10 s without one.
func next(t *testing.T, reloads <-chan error) error {
	t.Helper()
	select {
	case err := <-reloads:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("no reload within 10 s of the edit")
		return nil
	}
}

func copyBot(t *testing.T) string {
	dir := t.TempDir()
	for _, sub := range []string{"intents", "dialog", "tests"} {
		files, _ := filepath.Glob(filepath.Join("testdata/bot", sub, "*.yaml"))
		os.MkdirAll(filepath.Join(dir, sub), 0o755)
		for _, f := range files {
			data, _ := os.ReadFile(f)
			os.WriteFile(filepath.Join(dir, sub, filepath.Base(f)), data, 0o644)
		}
	}
	return dir
}

func edit(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(data), old) {
		t.Fatalf("%s does not contain %q (%v)", path, old, err)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}
