package conversation_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/store/storetest"
)

func open(t *testing.T, opts conversation.Options) (*conversation.Store, conversation.Conversation) {
	t.Helper()
	s := conversation.NewStore(storetest.Open(t), opts)
	c, err := s.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func TestConcurrentAppendsGetDistinctSequenceNumbers(t *testing.T) {
	s, c := open(t, conversation.Options{})
	ctx := context.Background()
	const writers, each = 8, 25
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for range each {
				if _, err := s.Append(ctx, c.ID, []conversation.Event{conversation.Message("bot", "x", nil), conversation.Message("bot", "y", nil)}, conversation.AppendOptions{}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	evs, err := s.Events(ctx, c.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(evs), writers*each*2; got != want {
		t.Fatalf("got %d events, want %d", got, want)
	}
	for i, ev := range evs {
		if ev.Seq != int64(i+1) {
			t.Fatalf("event %d: got seq %d, want %d", i, ev.Seq, i+1)
		}
	}
	after, err := s.Events(ctx, c.ID, 390, 5)
	if err != nil || len(after) != 5 || after[0].Seq != 391 {
		t.Fatalf("Events after 390: got %v (%v), want 5 events from 391", after, err)
	}
}

func TestPostIsIdempotent(t *testing.T) {
	s, c := open(t, conversation.Options{})
	ctx := context.Background()
	first, err := s.Post(ctx, c.ID, c.Token, "bonjour", "k1", nil)
	if err != nil || !first.NeedsAnswer || first.Message.Seq != 1 {
		t.Fatalf("first post: got %+v, %v", first, err)
	}
	_, err = s.Post(ctx, c.ID, c.Token, "bonjour", "k1", nil)
	if got := apperr.CodeOf(err); got != apperr.Conflict {
		t.Fatalf("retry while answering: got %v, want conflict", err)
	}
	answer, err := s.Append(ctx, c.ID, []conversation.Event{conversation.Message("bot", "salut", nil)},
		conversation.AppendOptions{IfOwner: conversation.OwnerBot, IdempotencyKey: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Post(ctx, c.ID, c.Token, "bonjour", "k1", nil)
	if err != nil || !again.Replayed || len(again.Answer) != 1 || again.Answer[0].Seq != answer[0].Seq || again.Answer[0].Text != "salut" || !again.Answer[0].At.Equal(answer[0].At) {
		t.Fatalf("retry after answer: got %+v, %v; want the answer %+v", again, err, answer)
	}
	evs, _ := s.Events(ctx, c.ID, 0, 0)
	if len(evs) != 2 {
		t.Fatalf("got %d events, want 2", len(evs))
	}
}

func TestPostChecksToken(t *testing.T) {
	s, c := open(t, conversation.Options{})
	other, _ := s.Create(context.Background())
	tests := []struct {
		name, id, token string
		want            apperr.Code
	}{
		{name: "foreign token", id: c.ID, token: other.Token, want: apperr.Forbidden},
		{name: "no token", id: c.ID, token: "", want: apperr.Unauthorized},
		{name: "unknown conversation", id: "AAAAAAAAAAAAAAAAAAAAAA", token: c.Token, want: apperr.NotFound},
		{name: "malformed id", id: "../x", token: c.Token, want: apperr.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Post(context.Background(), tt.id, tt.token, "x", "", nil)
			if got := apperr.CodeOf(err); got != tt.want {
				t.Errorf("Post: got %v, want %s", err, tt.want)
			}
			_, err = s.Authorize(context.Background(), tt.id, tt.token)
			if got := apperr.CodeOf(err); got != tt.want {
				t.Errorf("Authorize: got %v, want %s", err, tt.want)
			}
		})
	}
}

func TestRateLimitPerConversation(t *testing.T) {
	s, c := open(t, conversation.Options{MessagesPerWindow: 2, RateWindow: time.Minute})
	ctx := context.Background()
	for i := range 2 {
		if _, err := s.Post(ctx, c.ID, c.Token, "x", "", nil); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	_, err := s.Post(ctx, c.ID, c.Token, "x", "", nil)
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != apperr.TooMany || e.RetryAfter <= 0 {
		t.Fatalf("third message: got %v, want too_many with a retry delay", err)
	}
}

func TestQueuedConversationStoresWithoutAnswer(t *testing.T) {
	s, c := open(t, conversation.Options{})
	ctx := context.Background()
	if _, err := s.Append(ctx, c.ID, []conversation.Event{conversation.Message("system", "file", nil)},
		conversation.AppendOptions{SetOwner: conversation.OwnerQueued}); err != nil {
		t.Fatal(err)
	}
	p, err := s.Post(ctx, c.ID, c.Token, "allo ?", "k", nil)
	if err != nil || p.NeedsAnswer || p.Owner != conversation.OwnerQueued {
		t.Fatalf("post while queued: got %+v, %v; want stored, no answer needed", p, err)
	}
	again, err := s.Post(ctx, c.ID, c.Token, "allo ?", "k", nil)
	if err != nil || !again.Replayed || len(again.Answer) != 0 {
		t.Fatalf("retry while queued: got %+v, %v", again, err)
	}
}

func TestHubWakesOnAppend(t *testing.T) {
	st := storetest.Open(t)
	s := conversation.NewStore(st, conversation.Options{})
	c, _ := s.Create(context.Background())
	hub := conversation.NewHub(s, slog.New(slog.DiscardHandler), time.Hour)
	t.Cleanup(func() { hub.Close() })
	sub, err := hub.Subscribe(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	<-sub.C // the initial wake-up
	// Wait for the subscription to be confirmed: appends are then notified.
	deadline := time.After(5 * time.Second)
	for {
		if _, err := s.Append(context.Background(), c.ID, []conversation.Event{conversation.Message("bot", "x", nil)}, conversation.AppendOptions{}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-sub.C:
			return
		case <-deadline:
			t.Fatal("no wake-up within 5 s")
		case <-time.After(50 * time.Millisecond):
		}
	}
}
