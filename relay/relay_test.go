package relay_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/dialog"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/relay"
	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

// countingBot keeps a counter as its session: each answer says the number of the turn, so
// that two turns answered on the same session would show it. "conseiller" hands over.
type countingBot struct {
	sessions *dialog.RedisSessions
	mu       sync.Mutex
	asked    int
	delay    time.Duration
	webhooks []string // the sessions the "webhook" message reached its backend with
}

func (b *countingBot) SessionKey(id string) (string, time.Duration, bool) {
	return b.sessions.Key(id), time.Minute, true
}

func (b *countingBot) Greet(ctx context.Context, id string) (dialog.Turn, []byte, error) {
	return dialog.Turn{Replies: []dialog.Reply{{Text: "Bonjour !"}}}, []byte("0"), nil
}

func (b *countingBot) Answer(ctx context.Context, id, text, session string) (dialog.Turn, []byte, error) {
	b.mu.Lock()
	b.asked++
	b.mu.Unlock()
	time.Sleep(b.delay)
	if text == "webhook" { // a step that calls a backend: after the relay's check, as the engine does
		if err := dialog.Check(ctx); err != nil {
			return dialog.Turn{}, nil, err
		}
		b.mu.Lock()
		b.webhooks = append(b.webhooks, session)
		b.mu.Unlock()
	}
	n, _ := strconv.Atoi(session)
	n++
	turn := dialog.Turn{Intent: "echo", Understood: true, Replies: []dialog.Reply{{Text: "tour " + strconv.Itoa(n)}}}
	if text == "conseiller" {
		turn.Handoff = &dialog.Handoff{Intent: "mise_en_relation_agent", Priority: "normal", Summary: "demande un conseiller"}
	}
	return turn, []byte(strconv.Itoa(n)), nil
}

// recorder counts what the relay observes.
type recorder struct {
	mu       sync.Mutex
	turns    int
	kinds    map[handoff.NoticeKind]int
	assigned int
}

func (o *recorder) ObserveTurn(dialog.Turn) { o.mu.Lock(); o.turns++; o.mu.Unlock() }
func (o *recorder) ObserveNotice(n handoff.Notice, _ time.Duration) {
	o.mu.Lock()
	o.kinds[n.Kind]++
	o.mu.Unlock()
}
func (o *recorder) ObserveAssigned(time.Duration) { o.mu.Lock(); o.assigned++; o.mu.Unlock() }

type fixture struct {
	obs      *recorder
	st       *store.Store
	conv     *conversation.Store
	relay    *relay.Relay
	bot      *countingBot
	router   *handoff.Router
	accounts *handoff.Accounts
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureOn(t, storetest.Open(t))
}

// newFixtureOn is newFixture on st.
func newFixtureOn(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	conv := conversation.NewStore(st, conversation.Options{})
	hub := conversation.NewHub(conv, nil, time.Second)
	t.Cleanup(func() { hub.Close() })
	go hub.Run(context.Background())
	bot := &countingBot{sessions: &dialog.RedisSessions{Store: st, TTL: time.Minute}}
	router := handoff.NewRouter(st, handoff.Options{})
	accounts := handoff.NewAccounts(st, handoff.AccountOptions{})
	obs := &recorder{kinds: map[handoff.NoticeKind]int{}}
	r, err := relay.New(relay.Deps{Store: st, Conversations: conv, Hub: hub, Bot: bot, Desk: desk.New(st, nil),
		Router: router, Accounts: accounts, Observer: obs}, relay.Options{BotTimeout: 5 * time.Second, WriteTimeout: time.Second,
		ConversationTTL: time.Hour, NoticeClaim: 5 * time.Second, SweepInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{obs: obs, st: st, conv: conv, relay: r, bot: bot, router: router, accounts: accounts}
}

// second is another process's relay on the fixture's Redis and bot.
func (f *fixture) second(t *testing.T) *relay.Relay {
	t.Helper()
	hub := conversation.NewHub(f.conv, nil, time.Second)
	t.Cleanup(func() { hub.Close() })
	go hub.Run(context.Background())
	r, err := relay.New(relay.Deps{Store: f.st, Conversations: f.conv, Hub: hub, Bot: f.bot, Desk: desk.New(f.st, nil)},
		relay.Options{BotTimeout: 5 * time.Second, WriteTimeout: time.Second, ConversationTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func texts(events []conversation.Event) []string {
	var out []string
	for _, e := range events {
		if e.Type == conversation.TypeMessage {
			out = append(out, e.Text)
		}
	}
	return out
}

func TestTurnAnswersOnTheSessionAndReplaysARetry(t *testing.T) {
	f, ctx := newFixture(t), context.Background()
	opened, err := f.relay.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(opened.Events); len(got) != 1 || got[0] != "Bonjour !" {
		t.Fatalf("welcome: got %q", got)
	}
	id, token := opened.Conversation.ID, opened.Conversation.Token
	for i, want := range []string{"tour 1", "tour 2"} {
		a, err := f.relay.Post(ctx, id, token, "k"+strconv.Itoa(i), "bonjour")
		if err != nil {
			t.Fatal(err)
		}
		if got := texts(a.Events); len(got) != 1 || got[0] != want || a.Message.Text != "bonjour" {
			t.Fatalf("turn %d: got %q (message %q), want %q", i, got, a.Message.Text, want)
		}
	}
	again, err := f.relay.Post(ctx, id, token, "k1", "bonjour")
	if err != nil || texts(again.Events)[0] != "tour 2" || f.bot.asked != 2 {
		t.Fatalf("retry of k1: got %q, %v, bot asked %d times; want the first answer, asked twice", texts(again.Events), err, f.bot.asked)
	}
	if _, err := f.relay.Post(ctx, id, token, "k1", "autre chose"); !errors.Is(err, relay.ErrKeyReused) {
		t.Fatalf("k1 with another text: got %v, want ErrKeyReused", err)
	}
	if _, err := f.relay.Post(ctx, id, "mauvais-jeton", "", "bonjour"); apperr.CodeOf(err) != apperr.Forbidden || f.bot.asked != 2 {
		t.Fatalf("a wrong token: got %v, bot asked %d times; want forbidden, the bot not asked", err, f.bot.asked)
	}
}

// TestTurnFromAnOutOfDateStateIsAnsweredAgain: two processes answer one conversation in turn
// (a load balancer without stickiness). A process starts a turn from the state its own last
// turn left, now out of date: the backend is not reached on that old session, and the turn is
// answered on the session as it really is. From then on that process reads the conversation
// before each turn: no answer is computed twice again.
func TestTurnFromAnOutOfDateStateIsAnsweredAgain(t *testing.T) {
	f, ctx := newFixture(t), context.Background()
	other := f.second(t)
	opened, err := f.relay.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	id, token := opened.Conversation.ID, opened.Conversation.Token
	steps := []struct {
		relay      *relay.Relay
		text, want string
	}{
		{f.relay, "bonjour", "tour 1"},
		{other, "bonjour", "tour 2"},
		{f.relay, "webhook", "tour 3"}, // its memory: after tour 1
		{other, "bonjour", "tour 4"},   // its memory: after tour 2
		{f.relay, "bonjour", "tour 5"}, // reads
		{other, "bonjour", "tour 6"},
	}
	for i, s := range steps {
		a, err := s.relay.Post(ctx, id, token, "k"+strconv.Itoa(i), s.text)
		if err != nil {
			t.Fatal(err)
		}
		if got := texts(a.Events); len(got) != 1 || got[0] != s.want {
			t.Fatalf("step %d: got %q, want %q", i, got, s.want)
		}
	}
	if len(f.bot.webhooks) != 1 || f.bot.webhooks[0] != "2" {
		t.Fatalf("the backend was reached with sessions %q, want once, with the session of tour 2", f.bot.webhooks)
	}
	if want := len(steps) + 2; f.bot.asked != want { // tour 3 stopped at its check, tour 4 computed twice
		t.Fatalf("the bot was asked %d times, want %d", f.bot.asked, want)
	}
}

// Messages of one conversation at once: each turn is stored only on the session the one before
// it saved (the others are answered again), so no turn is lost or answered twice.
func TestConcurrentMessagesOfOneConversationTakeTurns(t *testing.T) {
	f, ctx := newFixture(t), context.Background()
	f.bot.delay = 50 * time.Millisecond
	opened, err := f.relay.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	answers := make([]string, 4)
	for i := range answers {
		wg.Go(func() {
			a, err := f.relay.Post(ctx, opened.Conversation.ID, opened.Conversation.Token, "k"+strconv.Itoa(i), "bonjour")
			if err != nil {
				t.Error(err)
				return
			}
			answers[i] = texts(a.Events)[0]
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, a := range answers {
		seen[a] = true
	}
	for i := 1; i <= len(answers); i++ {
		if !seen["tour "+strconv.Itoa(i)] {
			t.Fatalf("answers %q: want tour 1 to tour %d, each once", answers, len(answers))
		}
	}
}

// The handover end to end without HTTP: the bot hands over, the customer is told their
// position, an agent accepts, the notice gives them the conversation, their message reaches
// it, they hand it back, and the bot answers again on its session.
func TestHandoverFromTheBotToAnAgentAndBack(t *testing.T) {
	f, ctx := newFixture(t), context.Background()
	rctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- f.relay.Run(rctx) }()
	t.Cleanup(func() { stop(); <-done })

	agent, err := f.accounts.Add(ctx, handoff.NewAgent{Login: "lea", Name: "Léa", Password: "Correct-Cheval-Pile-42"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.router.Connect(ctx, agent.ID, "desk-1"); err != nil {
		t.Fatal(err)
	}
	if err := f.relay.Do(ctx, agent, relay.Command{Type: "set_state", State: "ready"}); err != nil {
		t.Fatal(err)
	}
	opened, err := f.relay.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	id, token := opened.Conversation.ID, opened.Conversation.Token
	handed, err := f.relay.Post(ctx, id, token, "", "conseiller")
	if err != nil {
		t.Fatal(err)
	}
	// One message says it, the bot's, then queued; an agent is Prêt: perhaps a position too
	// (the offer may be made before the position is read), no system message.
	if evs := handed.Events; len(evs) < 2 || len(evs) > 3 || evs[0].From != conversation.FromBot ||
		evs[1].Type != conversation.TypeQueued || len(evs) == 3 && evs[2].Type != conversation.TypeQueued {
		t.Fatalf("the handoff's answer: got %+v, want the bot's reply, queued, perhaps the queue position", evs)
	}
	task := waitFor(t, func() (handoff.Task, bool) {
		task, err := f.router.TaskOf(ctx, id)
		return task, err == nil && task.State == handoff.TaskOffered && task.AgentID == agent.ID
	})
	if err := f.relay.Do(ctx, agent, relay.Command{Type: "reject", TaskID: "autre"}); err == nil {
		t.Fatal("refusing another task was accepted")
	}
	if err := f.relay.Do(ctx, agent, relay.Command{Type: "accept", TaskID: task.ID}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() (conversation.Owner, bool) {
		o, err := f.conv.Owner(ctx, id)
		return o, err == nil && o == conversation.OwnerAgent
	})
	if err := f.relay.Do(ctx, agent, relay.Command{Type: "message", ConversationID: id, Text: "Bonjour, Léa à votre écoute."}); err != nil {
		t.Fatal(err)
	}
	answered, err := f.relay.Post(ctx, id, token, "", "merci")
	if err != nil || len(answered.Events) != 0 {
		t.Fatalf("a message while the agent owns the conversation: got %q, %v; want no bot answer", texts(answered.Events), err)
	}
	if err := f.relay.Do(ctx, agent, relay.Command{Type: "hand_back", ConversationID: id}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() (conversation.Owner, bool) {
		o, err := f.conv.Owner(ctx, id)
		return o, err == nil && o == conversation.OwnerBot
	})
	back, err := f.relay.Post(ctx, id, token, "", "encore une question")
	if err != nil || len(back.Events) != 1 || back.Events[0].Text != "tour 2" {
		t.Fatalf("after the hand back: got %q, %v; want the bot's « tour 2 »", texts(back.Events), err)
	}
	events, err := f.conv.Events(ctx, id, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, string(e.Type)+":"+e.Agent)
	}
	for _, want := range []string{"queued:", "agent_joined:Léa", "message:Léa", "agent_left:Léa"} {
		if !contains(kinds, want) {
			t.Errorf("events %q: missing %s", kinds, want)
		}
	}
	f.obs.mu.Lock()
	defer f.obs.mu.Unlock()
	if f.obs.turns != 2 || f.obs.kinds[handoff.NoticeOffered] != 1 || f.obs.assigned != 1 {
		t.Errorf("observed %d turns, %d offers, %d assignments; want 2, 1, 1", f.obs.turns, f.obs.kinds[handoff.NoticeOffered], f.obs.assigned)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// waitFor polls cond until it holds (the notices are applied in the background).
func waitFor[T any](t *testing.T, cond func() (T, bool)) T {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		v, ok := cond()
		if ok {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within 5 s (last: %v)", v)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestHandoffAnswerTellsThePlace: a handoff while nobody is Prêt answers with the bot's words,
// queued (the handoff itself), the customer's place in the queue and the no-agent message (with
// its choices), in order; no second message says that the conversation is handed over.
func TestHandoffAnswerTellsThePlace(t *testing.T) {
	f, ctx := newFixture(t), context.Background()
	opened, err := f.relay.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	handed, err := f.relay.Post(ctx, opened.Conversation.ID, opened.Conversation.Token, "", "conseiller")
	if err != nil {
		t.Fatal(err)
	}
	evs := handed.Events
	if len(evs) != 4 || evs[0].From != conversation.FromBot || evs[1].Type != conversation.TypeQueued || evs[1].Position != 0 ||
		evs[2].Type != conversation.TypeQueued || evs[2].Position != 1 || evs[3].From != conversation.FromSystem || len(evs[3].QuickReplies) != 2 {
		t.Fatalf("got %+v, want the bot's reply, queued, queued at position 1, then the no-agent message", evs)
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].Seq != evs[i-1].Seq+1 {
			t.Fatalf("got seqs %d then %d, want them in a row", evs[i-1].Seq, evs[i].Seq)
		}
	}
}

// TestTurnsAndHandoffOnACluster: on a Redis Cluster of three masters, turns are stored on
// their session (one script each, the session under the conversation's hash tag), a retry
// replays, two processes answer in turn, and a handoff reaches the routing queue.
func TestTurnsAndHandoffOnACluster(t *testing.T) {
	f, ctx := newFixtureOn(t, storetest.Cluster(t)), context.Background()
	other := f.second(t)
	opened, err := f.relay.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	id, token := opened.Conversation.ID, opened.Conversation.Token
	for i, s := range []struct {
		relay     *relay.Relay
		key, want string
	}{{f.relay, "k1", "tour 1"}, {f.relay, "k2", "tour 2"}, {other, "k3", "tour 3"}, {f.relay, "k4", "tour 4"}, {f.relay, "k4", "tour 4"}} {
		a, err := s.relay.Post(ctx, id, token, s.key, "bonjour")
		if err != nil {
			t.Fatal(err)
		}
		if got := texts(a.Events); len(got) != 1 || got[0] != s.want {
			t.Fatalf("turn %d: got %q, want %q", i, got, s.want)
		}
	}
	if _, err := f.relay.Post(ctx, id, token, "k5", "conseiller"); err != nil {
		t.Fatal(err)
	}
	if task, err := f.router.TaskOf(ctx, id); err != nil || task.ConversationID != id {
		t.Fatalf("the handoff's task: %+v %v", task, err)
	}
}

// TestEstimateGoesWhenTheLastAgentIsNotReady: while the only agent Prêt is busy, a queued
// customer is told an estimate; when that agent goes Non prêt nothing holds it any more, and
// the customer is told again, without it (the queue itself did not change).
func TestEstimateGoesWhenTheLastAgentIsNotReady(t *testing.T) {
	f, ctx := newFixture(t), context.Background()
	rctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- f.relay.Run(rctx) }()
	t.Cleanup(func() { stop(); <-done })

	agent, err := f.accounts.Add(ctx, handoff.NewAgent{Login: "lea", Name: "Léa", Password: "Correct-Cheval-Pile-42"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.router.Connect(ctx, agent.ID, "desk-1"); err != nil {
		t.Fatal(err)
	}
	if err := f.relay.Do(ctx, agent, relay.Command{Type: "set_state", State: "ready"}); err != nil {
		t.Fatal(err)
	}
	handOver := func() string {
		t.Helper()
		opened, err := f.relay.Open(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.relay.Post(ctx, opened.Conversation.ID, opened.Conversation.Token, "", "conseiller"); err != nil {
			t.Fatal(err)
		}
		return opened.Conversation.ID
	}
	first := handOver()
	task := waitFor(t, func() (handoff.Task, bool) {
		task, err := f.router.TaskOf(ctx, first)
		return task, err == nil && task.State == handoff.TaskOffered
	})
	if err := f.relay.Do(ctx, agent, relay.Command{Type: "accept", TaskID: task.ID}); err != nil {
		t.Fatal(err)
	}
	second := handOver()
	lastQueued := func() (conversation.Event, bool) {
		events, err := f.conv.Events(ctx, second, 0, 100)
		var last conversation.Event
		for _, e := range events {
			if e.Type == conversation.TypeQueued && e.Position > 0 {
				last = e
			}
		}
		return last, err == nil && last.Position > 0
	}
	told := waitFor(t, func() (conversation.Event, bool) {
		e, ok := lastQueued()
		return e, ok && e.EstimatedWaitSeconds > 0
	})
	if err := f.relay.Do(ctx, agent, relay.Command{Type: "set_state", State: "not_ready"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() (conversation.Event, bool) {
		e, ok := lastQueued()
		return e, ok && e.Seq > told.Seq && e.EstimatedWaitSeconds == 0 && e.Position == 1
	})
}
