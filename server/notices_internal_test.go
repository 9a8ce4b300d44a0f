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
// entries stay the same, nothing while both do, the new order with only the entries that
// changed when that is smaller, the whole queue again when it is not.
func TestQueuePushSendsWhatChanged(t *testing.T) {
	entry := func(id string, state handoff.TaskState) queueTask {
		return queueTask{QueueEntry: handoff.QueueEntry{Task: handoff.Task{ID: id, State: state, Summary: "Le client demande un remboursement de sa facture de novembre."}},
			LastCustomerMessage: "Je voudrais parler à un conseiller, s'il vous plaît."}
	}
	queue := func(length int, tasks ...queueTask) queueMessage {
		for i := range tasks {
			tasks[i].Position, tasks[i].WaitSeconds = i+1, 30*(i+1)
		}
		return queueMessage{Type: "queue", Tasks: tasks, Length: length}
	}
	waiting := handoff.TaskWaiting
	steps := []struct {
		name     string
		q        queueMessage
		want     []string // "": nothing sent
		unwanted string
	}{
		{"first", queue(5, entry("t1", waiting), entry("t2", waiting), entry("t3", waiting)), []string{`"tasks":[`}, ""},
		{"same", queue(5, entry("t1", waiting), entry("t2", waiting), entry("t3", waiting)), nil, ""},
		{"a customer more at the tail", queue(6, entry("t1", waiting), entry("t2", waiting), entry("t3", waiting)), []string{`{"type":"queue","length":6}`}, ""},
		{"the head taken", queue(5, entry("t2", waiting), entry("t3", waiting), entry("t4", waiting)),
			[]string{`"order":["t2","t3","t4"]`, `"waits":[30,60,90]`, `"changed":[{"task":{"id":"t4"`, `"length":5`}, `"id":"t2"`},
		{"one offered", queue(5, entry("t2", waiting), entry("t3", handoff.TaskOffered), entry("t4", waiting)),
			[]string{`"changed":[{"task":{"id":"t3",`, `"state":"offered"`}, `"id":"t4"`},
		{"all new", queue(2, entry("t8", waiting), entry("t9", waiting)), []string{`"tasks":[{"task":{"id":"t8"`}, `"order"`},
	}
	var last sentQueue
	for _, s := range steps {
		data, next := last.next(s.q)
		switch {
		case s.want == nil && data != nil:
			t.Errorf("%s: sent %s, want nothing", s.name, data)
		case s.want != nil && data == nil:
			t.Errorf("%s: sent nothing", s.name)
		case s.unwanted != "" && strings.Contains(string(data), s.unwanted):
			t.Errorf("%s: sent %s, want no %s", s.name, data, s.unwanted)
		}
		for _, w := range s.want {
			if !strings.Contains(string(data), w) {
				t.Errorf("%s: sent %s, want %s", s.name, data, w)
			}
		}
		last = next
	}
}

// An offer is delivered from its notice only when no later notice of the batch concerns its
// task: one answered, expired or made to another agent within the batch is not shown.
func TestLastOfTasksLeavesOutOffersAlreadyOver(t *testing.T) {
	notices := []handoff.Notice{
		{Kind: handoff.NoticeOffered, TaskID: "t1", AgentID: "a"},
		{Kind: handoff.NoticeOffered, TaskID: "t2", AgentID: "b"},
		{Kind: handoff.NoticeOfferExpired, TaskID: "t1", AgentID: "a"},
		{Kind: handoff.NoticeQueue},
		{Kind: handoff.NoticeOffered, TaskID: "t1", AgentID: "c"},
	}
	last := lastOfTasks(notices)
	for i, want := range []bool{false, true, false, false, true} {
		n := notices[i]
		if got := n.Kind == handoff.NoticeOffered && last[n.TaskID] == i; got != want {
			t.Errorf("notice %d (%s of %s to %s): delivered %t, want %t", i, n.Kind, n.TaskID, n.AgentID, got, want)
		}
	}
}
