package conversation_test

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

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
	go hub.Run(context.Background())
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
	go hub.Run(context.Background())
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

// streamReads counts the stream reads (XRANGE) a client sends.
type streamReads struct{ n atomic.Int64 }

func (r *streamReads) DialHook(next redis.DialHook) redis.DialHook { return next }
func (r *streamReads) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (r *streamReads) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if strings.EqualFold(cmd.Name(), "xrange") {
			r.n.Add(1)
		}
		return next(ctx, cmd)
	}
}

// A reader here reads the stream once, when its subscription is confirmed; the events this
// process appends afterwards are handed to it, whenever their notification through Redis
// arrives, never read again.
func TestLocalAppendsAreNeverReadBack(t *testing.T) {
	st := storetest.Open(t)
	reads := &streamReads{}
	st.Client.AddHook(reads)
	s := conversation.NewStore(st, conversation.Options{})
	hub := conversation.NewHub(s, slog.New(slog.DiscardHandler), time.Hour)
	t.Cleanup(func() { hub.Close() })
	go hub.Run(context.Background())
	ctx := context.Background()
	c, _ := s.Create(ctx)
	if _, err := s.Append(ctx, c.ID, []conversation.Event{conversation.Message("bot", "bienvenue", nil)}, conversation.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
	sub, err := hub.Subscribe(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	after := next(t, sub, 0)[0].Seq
	if got := reads.n.Load(); got != 1 {
		t.Fatalf("%d stream reads to subscribe, want 1 (at the confirmation)", got)
	}
	for i := range 50 {
		evs := []conversation.Event{conversation.Message("customer", "question", nil), conversation.Message("bot", "réponse", nil)}
		if _, err := s.Append(ctx, c.ID, evs, conversation.AppendOptions{}); err != nil {
			t.Fatal(err)
		}
		for got := next(t, sub, after); ; got = next(t, sub, after) {
			after = got[len(got)-1].Seq
			if after == int64(3+2*i) {
				break
			}
		}
	}
	// Let the last notifications arrive: they must not cause a read either.
	ctx2, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	for {
		if _, err := sub.Next(ctx2, after, 100); err != nil {
			break
		}
	}
	if got := reads.n.Load(); got != 1 {
		t.Errorf("%d stream reads in all, want 1: local appends were read back", got)
	}
}
