package conversation_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

// exchangeFixture is a conversation with a session lock of the dialog's shape, its data "v1".
type exchangeFixture struct {
	st   *store.Store
	s    *conversation.Store
	c    conversation.Conversation
	lock conversation.Lock
}

func newExchangeFixture(t *testing.T, opts conversation.Options) exchangeFixture {
	t.Helper()
	st := storetest.Open(t)
	s := conversation.NewStore(st, opts)
	c, err := s.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	lock := conversation.Lock{Key: st.Key("lock", "{"+c.ID+"}"), DataKey: st.Key("session", "{"+c.ID+"}"), TTL: time.Second}
	if err := st.Client.Set(context.Background(), lock.DataKey, "v1", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	return exchangeFixture{st: st, s: s, c: c, lock: lock}
}

// exchange is a valid exchange on f: from session "v1" to "v2", answering with one message.
func (f exchangeFixture) exchange(key string) conversation.Exchange {
	return conversation.Exchange{
		Token: f.c.Token, Key: key, Text: "où en est ma commande",
		Answer: []conversation.Event{conversation.Message(conversation.FromBot, "Quel est le numéro ?", nil)},
		Lock:   f.lock, Old: []byte("v1"), New: []byte("v2"), DataTTL: time.Minute,
	}
}

func (f exchangeFixture) session(t *testing.T) string {
	t.Helper()
	v, err := f.st.Client.Get(context.Background(), f.lock.DataKey).Result()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (f exchangeFixture) events(t *testing.T) []conversation.Event {
	t.Helper()
	evs, err := f.s.Events(context.Background(), f.c.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestExchangeStoresMessageAndAnswerTogether(t *testing.T) {
	f := newExchangeFixture(t, conversation.Options{})
	ctx := context.Background()
	msg, answer, err := f.s.Exchange(ctx, f.c.ID, f.exchange("k1"))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Seq != 1 || msg.From != conversation.FromCustomer || msg.Text != "où en est ma commande" {
		t.Errorf("message: got %+v", msg)
	}
	if len(answer) != 1 || answer[0].Seq != 2 || answer[0].From != conversation.FromBot {
		t.Errorf("answer: got %+v", answer)
	}
	if evs := f.events(t); len(evs) != 2 || evs[0].Text != msg.Text || evs[1].Text != "Quel est le numéro ?" {
		t.Errorf("stream: got %+v", evs)
	}
	if got := f.session(t); got != "v2" {
		t.Errorf("session: got %q, want v2", got)
	}
	// A retry of the same key, on the locked path, replays the answer and stores nothing.
	p, err := f.s.Post(ctx, f.c.ID, f.c.Token, "où en est ma commande", "k1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Replayed || p.Message.Seq != 1 || len(p.Answer) != 1 || p.Answer[0].Seq != 2 {
		t.Errorf("retry: got %+v, want the first exchange replayed", p)
	}
	if n := len(f.events(t)); n != 2 {
		t.Errorf("after the retry: %d events, want 2", n)
	}
}

func TestExchangeCarriesTheOwnerChange(t *testing.T) {
	f := newExchangeFixture(t, conversation.Options{})
	x := f.exchange("")
	x.SetOwner, x.Field, x.Value = conversation.OwnerQueued, "handoff", `{"intent":"x"}`
	if _, _, err := f.s.Exchange(context.Background(), f.c.ID, x); err != nil {
		t.Fatal(err)
	}
	owner, err := f.s.Owner(context.Background(), f.c.ID)
	if err != nil || owner != conversation.OwnerQueued {
		t.Errorf("owner: got %q (%v), want queued", owner, err)
	}
	// The bot no longer owns it: the next exchange must take the locked path.
	if _, _, err := f.s.Exchange(context.Background(), f.c.ID, f.exchange("")); !errors.Is(err, conversation.ErrStale) {
		t.Errorf("exchange on a queued conversation: got %v, want ErrStale", err)
	}
}

// Every case the locked path must decide stores nothing at all.
func TestExchangeStoresNothingWhenStale(t *testing.T) {
	ctx := context.Background()
	cases := map[string]func(t *testing.T, f exchangeFixture, x *conversation.Exchange){
		"wrong token":     func(t *testing.T, f exchangeFixture, x *conversation.Exchange) { x.Token = "autre" },
		"no token":        func(t *testing.T, f exchangeFixture, x *conversation.Exchange) { x.Token = "" },
		"session changed": func(t *testing.T, f exchangeFixture, x *conversation.Exchange) { x.Old = []byte("v0") },
		"session expired": func(t *testing.T, f exchangeFixture, x *conversation.Exchange) {
			f.st.Client.Del(ctx, f.lock.DataKey)
		},
		"lock taken": func(t *testing.T, f exchangeFixture, x *conversation.Exchange) {
			f.st.Client.Set(ctx, f.lock.Key, "someone", time.Minute)
		},
		"key seen": func(t *testing.T, f exchangeFixture, x *conversation.Exchange) {
			if _, err := f.s.Post(ctx, f.c.ID, f.c.Token, "déjà", "k1", nil); err != nil {
				t.Fatal(err)
			}
		},
		"agent owns it": func(t *testing.T, f exchangeFixture, x *conversation.Exchange) {
			if _, err := f.s.Append(ctx, f.c.ID, nil, conversation.AppendOptions{SetOwner: conversation.OwnerAgent}); err != nil {
				t.Fatal(err)
			}
		},
	}
	for name, spoil := range cases {
		t.Run(name, func(t *testing.T) {
			f := newExchangeFixture(t, conversation.Options{})
			x := f.exchange("k1")
			spoil(t, f, &x)
			before := len(f.events(t))
			sessionBefore, _ := f.st.Client.Get(ctx, f.lock.DataKey).Result()
			_, _, err := f.s.Exchange(ctx, f.c.ID, x)
			if !errors.Is(err, conversation.ErrStale) {
				t.Fatalf("got %v, want ErrStale", err)
			}
			var changed *conversation.StaleData
			if isData := errors.As(err, &changed); isData != (name == "session changed" || name == "session expired") {
				t.Errorf("got %v: StaleData %v, want it only when the session alone changed", err, isData)
			} else if isData && string(changed.Data) != sessionBefore {
				t.Errorf("StaleData carries %q, want the session as stored, %q", changed.Data, sessionBefore)
			}
			if after := len(f.events(t)); after != before {
				t.Errorf("%d events stored", after-before)
			}
			if got, _ := f.st.Client.Get(ctx, f.lock.DataKey).Result(); got != sessionBefore {
				t.Errorf("session: got %q, want %q untouched", got, sessionBefore)
			}
		})
	}
}

// The exchange counts toward the per-conversation rate and, at the limit, leaves the refusal
// (and its count) to the locked path.
func TestExchangeRespectsTheRateLimit(t *testing.T) {
	f := newExchangeFixture(t, conversation.Options{MessagesPerWindow: 2, RateWindow: time.Minute})
	ctx := context.Background()
	session := "v1"
	for i, next := range []string{"v2", "v3"} {
		x := f.exchange("")
		x.Old, x.New = []byte(session), []byte(next)
		if _, _, err := f.s.Exchange(ctx, f.c.ID, x); err != nil {
			t.Fatalf("exchange %d: %v", i+1, err)
		}
		session = next
	}
	x := f.exchange("")
	x.Old = []byte(session)
	if _, _, err := f.s.Exchange(ctx, f.c.ID, x); !errors.Is(err, conversation.ErrStale) {
		t.Fatalf("third exchange: got %v, want ErrStale", err)
	}
	if _, err := f.s.Post(ctx, f.c.ID, f.c.Token, "encore", "", nil); err == nil {
		t.Fatal("Post over the limit: got nil error, want 429")
	}
	if n := len(f.events(t)); n != 4 {
		t.Errorf("%d events stored, want 4 (two exchanges)", n)
	}
}
