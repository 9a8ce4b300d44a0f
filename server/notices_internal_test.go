package server

import (
	"strings"
	"sync"
	"testing"

	"github.com/relais/relais/handoff"
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

// The queue pusher sends the whole queue first, then the length alone while the first
// entries stay the same, nothing while both do, the whole queue again when an entry changes.
func TestQueuePushSendsWhatChanged(t *testing.T) {
	entry := func(id string, position int) queueTask {
		return queueTask{QueueEntry: handoff.QueueEntry{Task: handoff.Task{ID: id, State: handoff.TaskWaiting}, Position: position}}
	}
	head := []queueTask{entry("t1", 1), entry("t2", 2)}
	steps := []struct {
		name string
		q    queueMessage
		want string // "" : nothing sent
	}{
		{"first", queueMessage{Type: "queue", Tasks: head, Length: 5}, `"tasks":[`},
		{"same", queueMessage{Type: "queue", Tasks: head, Length: 5}, ""},
		{"a customer more at the tail", queueMessage{Type: "queue", Tasks: head, Length: 6}, `{"type":"queue","length":6}`},
		{"the head taken", queueMessage{Type: "queue", Tasks: []queueTask{entry("t2", 1)}, Length: 6}, `"tasks":[{"task":{"id":"t2"`},
	}
	var last sentQueue
	for _, s := range steps {
		data, next := last.next(s.q)
		switch {
		case s.want == "" && data != nil:
			t.Errorf("%s: sent %s, want nothing", s.name, data)
		case s.want != "" && !strings.Contains(string(data), s.want):
			t.Errorf("%s: sent %s, want %s", s.name, data, s.want)
		}
		last = next
	}
}
