package conversation_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

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

func TestHubWakesOnAppend(t *testing.T) {
	st := storetest.Open(t)
	s := conversation.NewStore(st, conversation.Options{})
	c, _ := s.Create(context.Background())
	hub := conversation.NewHub(s, slog.New(slog.DiscardHandler), time.Hour)
	t.Cleanup(func() { hub.Close() })
	go hub.Run(context.Background())
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
