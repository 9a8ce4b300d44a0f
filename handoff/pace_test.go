package handoff

import (
	"context"
	"testing"
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
