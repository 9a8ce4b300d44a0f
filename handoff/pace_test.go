package handoff

import (
	"context"
	"testing"
	"time"
)

// TestChangesAreHandledTogether: the changes that come while one is handled are handled
// once, together, after it; nothing is handled without a change.
func TestChangesAreHandledTogether(t *testing.T) {
	c := NewChanges()
	ctx, cancel := context.WithCancel(context.Background())
	handled := make(chan int, 10)
	release := make(chan struct{})
	calls := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Run(ctx, 0, func(context.Context) {
			calls++
			handled <- calls
			if calls == 1 {
				<-release
			}
		})
	}()
	c.Changed()
	if n := <-handled; n != 1 {
		t.Fatalf("first handling %d", n)
	}
	for range 5 {
		c.Changed() // while the first is handled
	}
	close(release)
	if n := <-handled; n != 2 {
		t.Fatalf("second handling %d", n)
	}
	cancel()
	<-done
	if calls != 2 {
		t.Errorf("%d handlings for two batches of changes, want 2", calls)
	}
}

// TestABurstIsHandledOnce: changes that come together, a burst, are handled once, a moment
// after the first (gather), not at the first and again for the rest.
func TestABurstIsHandledOnce(t *testing.T) {
	c := NewChanges()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	handled := make(chan struct{}, 10)
	go c.Run(ctx, 0, func(context.Context) { handled <- struct{}{} })
	for range 5 {
		c.Changed()
		time.Sleep(2 * time.Millisecond) // well within gather
	}
	<-handled
	time.Sleep(200 * time.Millisecond) // without gather, the changes after the first would be handled again
	if n := len(handled); n != 0 {
		t.Errorf("%d more handlings of one burst, want none", n)
	}
}
