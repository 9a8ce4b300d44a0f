package dialog_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/dialog"
	"github.com/relais/relais/store/storetest"
)

// keys records the Idempotency-Key of every webhook call.
type keys struct {
	mu   sync.Mutex
	seen []string
}

func (k *keys) Call(_ context.Context, c dialog.Call) (map[string]any, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.seen = append(k.seen, c.Key)
	return map[string]any{"status": "expédiée"}, nil
}

// TestStoredSessionIsTheEnginesSession stores a turn as the relay does — the session read
// with the conversation (Peek), the answer computed on it, the session saved with the events
// (Exchange) — and checks that the engine's own sessions read what was saved.
func TestStoredSessionIsTheEnginesSession(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	e := dialog.NewEngine(testBot(t), classifier, &dialog.RedisSessions{Store: st, TTL: time.Minute},
		dialog.Options{Caller: &keys{}})
	convs := conversation.NewStore(st, conversation.Options{})
	c, err := convs.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key, ttl, ok := e.SessionKey(c.ID)
	if !ok || ttl != time.Minute {
		t.Fatalf("SessionKey: got %q %v %v, want a key with the sessions' TTL", key, ttl, ok)
	}
	for i, text := range []string{"où en est ma commande", "CMD-11111"} {
		state, err := convs.Peek(ctx, c.ID, c.Token, "", key, true)
		if err != nil {
			t.Fatal(err)
		}
		turn, session, err := e.Answer(ctx, c.ID, text, state.Data)
		if err != nil {
			t.Fatal(err)
		}
		x := conversation.Exchange{Token: c.Token, Text: text, Owner: state.Owner, Seq: state.Seq,
			Answer:  []conversation.Event{conversation.Message("bot", turn.Replies[0].Text, nil)},
			DataKey: key, Data: session, DataTTL: ttl}
		if _, err := convs.Exchange(ctx, c.ID, x); err != nil {
			t.Fatal(err)
		}
		s, err := e.Session(ctx, c.ID)
		if err != nil || s.Turns != i+1 {
			t.Fatalf("session after turn %d: got %+v (%v), want %d turns", i+1, s, err, i+1)
		}
		if i == 1 && turn.Replies[0].Text != "Votre commande CMD-11111 est expédiée." {
			t.Fatalf("second turn: got %q, want the order's status from the saved flow", turn.Replies[0].Text)
		}
	}
}

// TestWebhookKeyIsTheSameForOneSession answers the same message twice on one session, as a
// turn computed again after a concurrent turn would: both webhook calls carry one key, and
// a turn on the next session another.
func TestWebhookKeyIsTheSameForOneSession(t *testing.T) {
	calls := &keys{}
	e := dialog.NewEngine(testBot(t), classifier, dialog.NewMemorySessions(), dialog.Options{Caller: calls})
	ctx := context.Background()
	_, asked, err := e.Answer(ctx, "c1", "où en est ma commande", "")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, _, err := e.Answer(ctx, "c1", "CMD-11111", string(asked)); err != nil {
			t.Fatal(err)
		}
	}
	_, other, err := e.Answer(ctx, "c1", "où en est ma commande", string(asked))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Answer(ctx, "c1", "CMD-11111", string(other)); err != nil {
		t.Fatal(err)
	}
	if len(calls.seen) != 3 || calls.seen[0] == "" || calls.seen[0] != calls.seen[1] || calls.seen[2] == calls.seen[0] {
		t.Fatalf("webhook keys: got %q, want the same key twice, then another", calls.seen)
	}
}

// TestCheckRunsBeforeTheFirstWebhook: a turn under WithCheck runs the check once before its
// webhook and not at all without one; a failing check stops the turn before the backend is
// called, and Answer returns its error.
func TestCheckRunsBeforeTheFirstWebhook(t *testing.T) {
	calls := &keys{}
	e := dialog.NewEngine(testBot(t), classifier, dialog.NewMemorySessions(), dialog.Options{Caller: calls})
	var checks int
	var fail error
	ctx := dialog.WithCheck(context.Background(), func(context.Context) error { checks++; return fail })
	_, asked, err := e.Answer(ctx, "c1", "où en est ma commande", "")
	if err != nil || checks != 0 {
		t.Fatalf("a turn without webhook: err %v, %d checks, want none", err, checks)
	}
	if _, _, err := e.Answer(ctx, "c1", "CMD-11111", string(asked)); err != nil || checks != 1 || len(calls.seen) != 1 {
		t.Fatalf("a webhook turn: err %v, %d checks, %d calls, want one check then the call", err, checks, len(calls.seen))
	}
	fail = errors.New("session changée")
	turn, session, err := e.Answer(ctx, "c1", "CMD-11111", string(asked))
	if !errors.Is(err, fail) || session != nil || len(turn.Replies) != 0 || len(calls.seen) != 1 {
		t.Fatalf("a failing check: err %v, session %q, turn %+v, %d calls, want its error and no call", err, session, turn, len(calls.seen))
	}
}
