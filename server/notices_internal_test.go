package server

import (
	"sync"
	"testing"
)

// The lanes of the notice reader: a conversation whose work is stuck holds back neither the
// reader (run returns at once) nor another conversation, its own jobs keep their order, and
// no more than the lanes' size run at once.
func TestLanesKeepOrderPerKeyAndRunKeysApart(t *testing.T) {
	l := newLanes(2)
	stuck := make(chan struct{})
	var mu sync.Mutex
	var order []int
	l.run("a", func() { <-stuck })
	for i := range 5 {
		l.run("a", func() {
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
		})
	}
	// "b" runs while "a" is stuck: the other slot is free.
	done := make(chan struct{})
	l.run("b", func() { close(done) })
	<-done

	// "c" stuck beside "a" fills both slots; "d" runs once "a" is done.
	stuckToo := make(chan struct{})
	l.run("c", func() { <-stuckToo })
	ran := make(chan struct{})
	l.run("d", func() { close(ran) })
	close(stuck)
	<-ran // a slot came free when "a" was done
	close(stuckToo)
	l.wait()
	for i, v := range order {
		if v != i {
			t.Fatalf("jobs of one key ran in the order %v, want 0 to 4", order)
		}
	}
	if len(order) != 5 {
		t.Fatalf("%d jobs of a ran, want 5", len(order))
	}
	if n := len(l.jobs); n != 0 {
		t.Errorf("%d keys left after wait, want none", n)
	}
}
