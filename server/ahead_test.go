package server_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relais/relais/dialog"
	"github.com/relais/relais/server"
	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

// countingBot keeps its session in Redis under the session lock protocol, as dialog.Engine
// does, and its session is the number of messages it answered: each answer says which turn
// it is, so a lost or doubled session update shows as a missing or repeated number.
type countingBot struct {
	st    *store.Store
	ahead atomic.Int64 // answers computed ahead of the lock
}

func (b *countingBot) keys(id string) (lock, session string) {
	return b.st.Key("bot-lock", "{"+id+"}"), b.st.Key("bot-session", "{"+id+"}")
}

func (b *countingBot) SessionLock(id string) (dialog.SessionLock, bool) {
	lock, session := b.keys(id)
	return dialog.SessionLock{Key: lock, SessionKey: session, Token: rand.Text(), TTL: 5 * time.Second, SessionTTL: time.Minute}, true
}

func (b *countingBot) answer(text, session string) (dialog.Turn, []byte, error) {
	n, _ := strconv.Atoi(session) // "": no turn yet
	n++
	reply := dialog.Reply{Text: fmt.Sprintf("tour %d : %s", n, text)}
	return dialog.Turn{Intent: "echo", Understood: true, Replies: []dialog.Reply{reply}}, []byte(strconv.Itoa(n)), nil
}

func (b *countingBot) welcome() dialog.Turn {
	return dialog.Turn{Replies: []dialog.Reply{{Text: "Bonjour !"}}}
}

func (b *countingBot) HandleHeld(_ context.Context, _, text, session string) (dialog.Turn, []byte, error) {
	return b.answer(text, session)
}

func (b *countingBot) HandleAhead(_ context.Context, _, text, session string) (dialog.Turn, []byte, error) {
	b.ahead.Add(1)
	return b.answer(text, session)
}

func (b *countingBot) StartHeld(context.Context, string) (dialog.Turn, []byte, error) {
	return b.welcome(), []byte("0"), nil
}

func (b *countingBot) Start(ctx context.Context, id string) (dialog.Turn, error) {
	_, session := b.keys(id)
	return b.welcome(), b.st.Client.Set(ctx, session, "0", time.Minute).Err()
}

// Handle is the turn without the server's help: it takes the lock itself, waiting for it.
func (b *countingBot) Handle(ctx context.Context, id, text string) (dialog.Turn, error) {
	lock, session := b.keys(id)
	token := rand.Text()
	for {
		ok, err := b.st.Client.SetNX(ctx, lock, token, 5*time.Second).Result()
		if err != nil {
			return dialog.Turn{}, err
		}
		if ok {
			break
		}
		time.Sleep(time.Millisecond)
	}
	defer b.st.Client.Del(context.WithoutCancel(ctx), lock)
	data, _ := b.st.Client.Get(ctx, session).Result()
	turn, saved, _ := b.answer(text, data)
	return turn, b.st.Client.Set(ctx, session, saved, time.Minute).Err()
}

// serveCounting runs a server with a countingBot on st.
func serveCounting(t testing.TB, st *store.Store) (*instance, *countingBot) {
	bot := &countingBot{st: st}
	return serve(t, nil, server.Deps{Store: st, Bot: bot, Static: testStatic}, testConfig()), bot
}

// metric reads one counter of in's /metrics.
func (in *instance) metric(t *testing.T, name string) int {
	t.Helper()
	status, _, body := call(t, "GET", in.url+"/metrics", "", "")
	if status != http.StatusOK {
		t.Fatalf("metrics: got %d", status)
	}
	m := regexp.MustCompile(`(?m)^` + name + ` (\d+)$`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("metrics: no %s in\n%s", name, body)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// turnOf is the turn number a countingBot answer carries.
func turnOf(t *testing.T, a answer) int {
	t.Helper()
	if len(a.Events) != 1 {
		t.Fatalf("answer: got %d events, want 1", len(a.Events))
	}
	var n int
	if _, err := fmt.Sscanf(a.Events[0].Text, "tour %d", &n); err != nil {
		t.Fatalf("answer %q: %v", a.Events[0].Text, err)
	}
	return n
}

// A process answers ahead on the session it saved; when another process answered in between,
// its copy is stale: nothing is stored, and it answers again from the session as stored.
func TestAnswerAheadStartsAgainWhenAnotherProcessAnswered(t *testing.T) {
	st := storetest.Open(t)
	a, botA := serveCounting(t, st)
	b, _ := serveCounting(t, st)
	c := a.open(t)
	route := []*instance{a, a, b, a, b, b, a}
	for i, in := range route {
		got := in.say(t, c, "message "+strconv.Itoa(i+1))
		if n := turnOf(t, got); n != i+1 {
			t.Fatalf("message %d: answered as turn %d", i+1, n)
		}
		if got.Message.Seq+1 != got.Events[0].Seq {
			t.Errorf("message %d: seq %d, answer %d, want consecutive", i+1, got.Message.Seq, got.Events[0].Seq)
		}
	}
	evs := a.events(t, c, "0")
	if len(evs) != 1+2*len(route) {
		t.Fatalf("transcript: %d events, want %d", len(evs), 1+2*len(route))
	}
	for i, ev := range evs {
		if ev.Seq != int64(i+1) {
			t.Fatalf("transcript: event %d has seq %d", i, ev.Seq)
		}
	}
	// A answered 1 and 2 ahead; 4 came after B's turn: answered twice, then the conversation
	// is bouncing for A, which answers 7 on the locked path. B: 3 locked (unknown), 5 answered
	// twice, 6 locked.
	for _, m := range []struct {
		in     *instance
		metric string
		want   int
	}{
		{a, "relais_bot_turns_ahead_total", 3}, {a, "relais_bot_turns_ahead_stale_total", 1},
		{b, "relais_bot_turns_ahead_total", 1}, {b, "relais_bot_turns_ahead_stale_total", 1},
	} {
		if got := m.in.metric(t, m.metric); got != m.want {
			t.Errorf("%s on %s: got %d, want %d", m.metric, m.in.url, got, m.want)
		}
	}
	if got := botA.ahead.Load(); got != 4 {
		t.Errorf("A's bot answered ahead %d times, want 4", got)
	}
}

// Behind a load balancer without stickiness, each process wastes at most one answer per
// conversation before answering it on the locked path.
func TestAlternatingProcessesWasteOneAnswerEach(t *testing.T) {
	st := storetest.Open(t)
	a, _ := serveCounting(t, st)
	b, _ := serveCounting(t, st)
	c := a.open(t)
	for i := range 12 {
		in := []*instance{a, b}[i%2]
		if n := turnOf(t, in.say(t, c, "message")); n != i+1 {
			t.Fatalf("message %d: answered as turn %d", i+1, n)
		}
	}
	for _, in := range []*instance{a, b} {
		if got := in.metric(t, "relais_bot_turns_ahead_stale_total"); got > 1 {
			t.Errorf("%s dropped %d answers, want at most 1", in.url, got)
		}
	}
}

// Messages of one conversation posted at once on two processes: every one is answered
// exactly once and the session counts them all (no update lost between ahead and locked turns).
func TestConcurrentMessagesOnTwoProcessesLoseNoTurn(t *testing.T) {
	st := storetest.Open(t)
	a, _ := serveCounting(t, st)
	b, _ := serveCounting(t, st)
	c := a.open(t)
	const writers, each = 4, 10
	var mu sync.Mutex
	seen := map[int]string{}
	var wg sync.WaitGroup
	for w := range writers {
		in := []*instance{a, b}[w%2]
		wg.Go(func() {
			for i := range each {
				text := fmt.Sprintf("w%d-%d", w, i)
				got := in.say(t, c, text)
				n := turnOf(t, got)
				if !strings.HasSuffix(got.Events[0].Text, ": "+text) {
					t.Errorf("message %s answered with %q", text, got.Events[0].Text)
				}
				mu.Lock()
				if other, dup := seen[n]; dup {
					t.Errorf("turn %d given to %s and %s", n, other, text)
				}
				seen[n] = text
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for n := 1; n <= writers*each; n++ {
		if _, ok := seen[n]; !ok {
			t.Errorf("no message answered as turn %d", n)
		}
	}
	if evs := a.events(t, c, "0"); len(evs) != 1+2*writers*each {
		t.Errorf("transcript: %d events, want %d", len(evs), 1+2*writers*each)
	}
	ahead := a.metric(t, "relais_bot_turns_ahead_total") + b.metric(t, "relais_bot_turns_ahead_total")
	t.Logf("%d of %d turns stored ahead", ahead, writers*each)
}
