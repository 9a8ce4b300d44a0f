package conversation_test

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

func say(t *testing.T, s *conversation.Store, id string, texts ...string) []conversation.Event {
	t.Helper()
	var evs []conversation.Event
	for _, text := range texts {
		out, err := s.Append(context.Background(), id, []conversation.Event{conversation.Message("bot", text, nil)}, conversation.AppendOptions{})
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, out...)
	}
	return evs
}

func TestEventsCarryTheirStreamEntry(t *testing.T) {
	s, c := open(t, conversation.Options{})
	out := say(t, s, c.ID, "un", "deux")
	stored, err := s.Events(context.Background(), c.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, ev := range stored {
		if ev.ID == "" || ev.ID != out[i].ID || !strings.HasPrefix(ev.ID, strconv.FormatInt(ev.Seq, 10)+"-") {
			t.Fatalf("event %d: got id %q (Append said %q), want SEQ-TAG", i, ev.ID, out[i].ID)
		}
	}
	if out[0].ID == out[1].ID {
		t.Fatal("two events with one id")
	}
}

func TestVerifyDetectsARollback(t *testing.T) {
	st := storetest.Open(t)
	s := conversation.NewStore(st, conversation.Options{})
	ctx := context.Background()
	c, err := s.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := say(t, s, c.ID, "un", "deux", "trois", "quatre", "cinq")
	last := seen[4]
	if err := s.Verify(ctx, c.ID, last.Seq, last.ID); err != nil {
		t.Fatalf("before the rollback: got %v, want nil", err)
	}
	storetest.RollBack(t, st, c.ID, 2)
	tests := []struct {
		name  string
		after int64
		entry string
		want  error
	}{
		{name: "the store is behind the seq", after: 5, want: conversation.ErrRolledBack},
		{name: "the entry is gone", after: 5, entry: last.ID, want: conversation.ErrRolledBack},
		{name: "an event still there", after: 3, entry: seen[2].ID, want: nil},
		{name: "the start", after: 0, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Verify(ctx, c.ID, tt.after, tt.entry); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	// New events reuse the lost numbers: by seq alone the reader would see nothing wrong.
	say(t, s, c.ID, "quatre bis", "cinq bis", "six")
	if err := s.Verify(ctx, c.ID, 5, ""); err != nil {
		t.Fatalf("by seq alone: got %v, want nil (what the entry is for)", err)
	}
	if err := s.Verify(ctx, c.ID, 5, last.ID); !errors.Is(err, conversation.ErrRolledBack) {
		t.Fatalf("by entry: got %v, want ErrRolledBack", err)
	}
	if err := s.Verify(ctx, "AAAAAAAAAAAAAAAAAAAAAA", 1, ""); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("unknown conversation: got %v, want not found", err)
	}
}

func TestNextAfterDetectsARollbackOnRead(t *testing.T) {
	st := storetest.Open(t)
	s := conversation.NewStore(st, conversation.Options{})
	h := conversation.NewHub(s, slog.New(slog.DiscardHandler), time.Minute)
	defer h.Close()
	go h.Run(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := s.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	last := say(t, s, c.ID, "un", "deux", "trois")[2]
	storetest.RollBack(t, st, c.ID, 2)
	say(t, s, c.ID, "deux bis", "trois bis", "quatre")
	sub, err := h.Subscribe(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	sub.Wake()
	evs, err := sub.NextAfter(ctx, last.Seq, last.ID, 100)
	if !errors.Is(err, conversation.ErrRolledBack) {
		t.Fatalf("got %v, %v; want ErrRolledBack", evs, err)
	}
	sub.Wake()
	evs, err = sub.NextAfter(ctx, 0, "", 100)
	if err != nil || len(evs) != 4 || evs[1].Text != "deux bis" {
		t.Fatalf("from the start: got %v, %v; want un, deux bis, trois bis, quatre", evs, err)
	}
}

func TestWaitForReplicasRefusesAnUnconfirmedWrite(t *testing.T) {
	st := storetest.Open(t)
	if st.Embedded {
		t.Skip("REDIS_URL non défini : le Redis intégré ne connaît pas WAIT")
	}
	s := conversation.NewStore(st, conversation.Options{
		Replicas: store.Replicas{MinReplicas: 1, Timeout: 50 * time.Millisecond},
	})
	ctx := context.Background()
	c, err := s.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Append(ctx, c.ID, []conversation.Event{conversation.Message("bot", "x", nil)}, conversation.AppendOptions{})
	if apperr.CodeOf(err) != apperr.Unavailable || !errors.Is(err, store.ErrNotReplicated) {
		t.Fatalf("a Redis without replica: got %v, want unavailable (not replicated)", err)
	}
	var ae *apperr.Error
	if errors.As(err, &ae) && !strings.Contains(ae.Message, "Réessayez") {
		t.Fatalf("got message %q, want a French message asking to retry", ae.Message)
	}
}
