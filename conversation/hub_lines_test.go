package conversation

import (
	"context"
	"testing"
	"time"

	"github.com/relais/relais/store"
)

// A Subscribe whose SUBSCRIBE has not returned holds its own channel only: a Subscribe to
// another conversation sends its SUBSCRIBE meanwhile. The first SUBSCRIBE returns only once
// the second one was sent; the Hub that made the second wait for the first fails the first
// at the end of its context instead of hanging.
func TestSubscribeDoesNotWaitForAnotherChannelsSubscribe(t *testing.T) {
	s := &Store{st: &store.Store{Prefix: "t:"}}
	h := newHub(s, nil, time.Hour)
	entered, secondSent := make(chan struct{}), make(chan struct{})
	h.subscribe = func(ctx context.Context, ch string) error {
		if ch != s.channel("b") {
			close(entered)
			select {
			case <-secondSent:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		close(secondSent)
		return nil
	}
	h.unsubscribe = func(context.Context, string) error { return nil }

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		sub, err := h.Subscribe(ctx, "a")
		if err == nil {
			sub.Close()
		}
		errc <- err
	}()
	<-entered
	sub, err := h.Subscribe(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	sub.Close()
	if err := <-errc; err != nil {
		t.Fatalf("the first SUBSCRIBE ended with %v: the second waited for it", err)
	}
	if len(h.lines) != 0 || len(h.subs) != 0 {
		t.Errorf("lines %v subs %v after every Close, want none", h.lines, h.subs)
	}
}

// A second reader of a channel whose SUBSCRIBE is under way waits for it, then is woken at
// once; the channel's last reader leaving sends UNSUBSCRIBE, and a reader arriving after
// sends SUBSCRIBE again, in that order.
func TestSubscribeAndUnsubscribeOfAChannelKeepTheirOrder(t *testing.T) {
	s := &Store{st: &store.Store{Prefix: "t:"}}
	h := newHub(s, nil, time.Hour)
	var sent []string
	h.subscribe = func(context.Context, string) error { sent = append(sent, "subscribe"); return nil }
	h.unsubscribe = func(context.Context, string) error { sent = append(sent, "unsubscribe"); return nil }
	ctx := context.Background()

	first, err := h.Subscribe(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	second, err := h.Subscribe(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-second.C:
	default:
		t.Fatal("a reader of a channel already subscribed is not woken at once")
	}
	first.Close()
	second.Close()
	third, err := h.Subscribe(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	third.Close()
	want := []string{"subscribe", "unsubscribe", "subscribe", "unsubscribe"}
	if len(sent) != len(want) {
		t.Fatalf("sent %v, want %v", sent, want)
	}
	for i := range want {
		if sent[i] != want[i] {
			t.Fatalf("sent %v, want %v", sent, want)
		}
	}
}
