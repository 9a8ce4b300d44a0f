package conversation_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/store/storetest"
)

// next waits for the next batch of sub with events, within 5 s.
func next(t *testing.T, sub *conversation.Subscription, after int64) []conversation.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		evs, err := sub.Next(ctx, after, 100)
		if err != nil {
			t.Fatalf("Next after %d: %v", after, err)
		}
		if len(evs) > 0 {
			return evs
		}
	}
}

// TestNextFollowsEveryAppend reads the events of appends made by this process (handed over
// without a read) and by another one (another Store on the same Redis): one ordered series.
func TestNextFollowsEveryAppend(t *testing.T) {
	st := storetest.Open(t)
	here := conversation.NewStore(st, conversation.Options{})
	elsewhere := conversation.NewStore(st, conversation.Options{})
	hub := conversation.NewHub(here, slog.New(slog.DiscardHandler), time.Hour)
	t.Cleanup(func() { hub.Close() })
	c, _ := here.Create(context.Background())
	sub, err := hub.Subscribe(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	var after int64
	for i, s := range []*conversation.Store{here, elsewhere, here, here, elsewhere} {
		if _, err := s.Append(context.Background(), c.ID, []conversation.Event{conversation.Message("bot", "x", nil)}, conversation.AppendOptions{}); err != nil {
			t.Fatal(err)
		}
		for after < int64(i+1) {
			for _, ev := range next(t, sub, after) {
				if ev.Seq != after+1 {
					t.Fatalf("got seq %d after %d, want %d", ev.Seq, after, after+1)
				}
				after = ev.Seq
			}
		}
	}
}

func TestBroadcastReachesReadersWithoutSeq(t *testing.T) {
	st := storetest.Open(t)
	s := conversation.NewStore(st, conversation.Options{})
	hub := conversation.NewHub(s, slog.New(slog.DiscardHandler), time.Hour)
	t.Cleanup(func() { hub.Close() })
	c, _ := s.Create(context.Background())
	sub, err := hub.Subscribe(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	typing := conversation.Event{Type: conversation.TypeTyping, From: conversation.FromBot, At: time.Now()}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		// Until the subscription is confirmed, a broadcast may be missed: say it again.
		if err := hub.Broadcast(context.Background(), c.ID, typing); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		evs, _ := sub.Next(ctx, 0, 100)
		cancel()
		if len(evs) == 0 {
			continue
		}
		if evs[0].Type != conversation.TypeTyping || evs[0].Seq != 0 || evs[0].From != conversation.FromBot {
			t.Fatalf("got %+v, want the bot typing without seq", evs[0])
		}
		return
	}
	t.Fatal("no typing event within 5 s")
}
