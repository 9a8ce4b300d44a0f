package handoff_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/relais/relais/handoff"
)

// TestQueueOrderAndEstimates checks positions (priority, then age) and the estimated wait
// max(0, k − F) × H / C.
func TestQueueOrderAndEstimates(t *testing.T) {
	h := newHarness(t)
	a := h.agents(3, 1)
	tasks := map[string]handoff.Task{}
	for _, c := range []struct {
		conv string
		p    handoff.Priority
	}{{"n1", handoff.PriorityNormal}, {"h1", handoff.PriorityHigh}, {"n2", ""}, {"h2", handoff.PriorityHigh}} {
		tasks[c.conv] = h.enqueue(c.conv, c.p, "")
		h.clock.Advance(time.Second)
	}
	v, err := h.r.Queue(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Entries[0].NoAgent || v.Entries[0].WaitSeconds != 0 {
		t.Errorf("no agent: got %+v, want NoAgent and no estimate", v.Entries[0])
	}
	h.ready(a[0], a[1]) // h1 and h2 offered; C = 2, F = 0, H = 5 min by default
	tests := []struct {
		name     string
		conv     string
		position int
		wait     int
	}{
		{name: "oldest high priority, offered", conv: "h1", position: 1, wait: 0},
		{name: "second high priority, offered", conv: "h2", position: 2, wait: 0},
		{name: "first normal: k = 1", conv: "n1", position: 3, wait: 150},
		{name: "second normal: k = 2", conv: "n2", position: 4, wait: 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := h.r.Position(h.ctx, tasks[tt.conv].ID)
			if err != nil {
				t.Fatal(err)
			}
			if e.Position != tt.position || e.WaitSeconds != tt.wait || e.NoAgent {
				t.Errorf("got position %d wait %d s (no agent %v), want %d and %d s", e.Position, e.WaitSeconds, e.NoAgent, tt.position, tt.wait)
			}
		})
	}
	h.ready(a[2]) // one more free slot: n1 is offered, n2 is now k = 1 with F = 0, C = 3
	if e, _ := h.r.Position(h.ctx, tasks["n2"].ID); e.Position != 4 || e.WaitSeconds != 100 {
		t.Errorf("n2 with three agents: got position %d wait %d s, want 4 and 100 s", e.Position, e.WaitSeconds)
	}
	if v, _ := h.r.Queue(h.ctx); v.ReadyAgents != 3 || v.Capacity != 3 || v.FreeSlots != 0 || v.Length != 4 {
		t.Errorf("view: got %+v", v)
	}
}

// TestNoticesReachOtherInstances: what one router's transitions return, another reads from
// the stream, in order, from its cursor.
func TestNoticesReachOtherInstances(t *testing.T) {
	h := newHarness(t)
	other := h.router()
	cursor, err := other.NoticeCursor(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := h.agents(1, 1)
	var want []handoff.Notice
	collect := func(ns []handoff.Notice, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, ns...)
	}
	collect(h.r.Connect(h.ctx, a[0], "d"))
	collect(h.r.SetState(h.ctx, a[0], handoff.StateReady))
	task, ns, err := h.r.Enqueue(h.ctx, handoff.NewTask{ConversationID: "c1"})
	collect(ns, err)
	_, ns, err = h.r.Accept(h.ctx, a[0], task.ID)
	collect(ns, err)
	got, next, err := other.Notices(h.ctx, cursor, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("notices: got %v, want %v", kinds(got), kinds(want))
	}
	for i := range got {
		offered := got[i].Task // the stream's offers carry the task as offered; the script's reply does not
		got[i].Task = nil
		if got[i] != want[i] {
			t.Errorf("notice %d: got %+v, want %+v", i, got[i], want[i])
		}
		if k := got[i].Kind; (k == handoff.NoticeOffered) != (offered != nil) {
			t.Errorf("notice %d, %s: task %+v", i, k, offered)
		} else if offered != nil && (offered.ID != task.ID || offered.ConversationID != "c1" || offered.State != handoff.TaskOffered || offered.AgentID != a[0] || !offered.Deadline.Equal(got[i].Deadline)) {
			t.Errorf("offer's task %+v, want %s offered to %s until %v", offered, task.ID, a[0], got[i].Deadline)
		}
	}
	if more, _, _ := other.Notices(h.ctx, next, 0); len(more) != 0 {
		t.Errorf("after the cursor: got %v, want nothing", kinds(more))
	}
}

// TestAnnounceReachesReaders: a notice no transition makes is read like the others.
func TestAnnounceReachesReaders(t *testing.T) {
	h := newHarness(t)
	other := h.router()
	cursor, err := other.NoticeCursor(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.r.Announce(h.ctx, handoff.NoticeMessages, "c1"); err != nil {
		t.Fatal(err)
	}
	got, _, err := other.Notices(h.ctx, cursor, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Kind != handoff.NoticeMessages || got[0].ConversationID != "c1" || got[0].At.IsZero() {
		t.Errorf("got %+v, want one messages notice for c1", got)
	}
}

// TestRefusedByEveryReadyAgent: a task every Prêt agent refused waits with no agent for it
// (Refused, NoAgent, no estimate) until another agent is Prêt.
func TestRefusedByEveryReadyAgent(t *testing.T) {
	h := newHarness(t)
	a := h.agents(2, 1)
	h.ready(a[0])
	task := h.enqueue("c1", "", "")
	h.must(h.r.Reject(h.ctx, a[0], task.ID))
	v, err := h.r.Queue(h.ctx)
	if err != nil || len(v.Entries) != 1 {
		t.Fatalf("queue: %+v %v", v, err)
	}
	if e := v.Entries[0]; !e.Refused || !e.NoAgent || e.WaitSeconds != 0 || e.Position != 1 {
		t.Errorf("refused by the only agent Prêt: got %+v, want Refused, NoAgent, no estimate, position 1", e)
	}
	if e, err := h.r.Position(h.ctx, task.ID); err != nil || !e.Refused {
		t.Errorf("position: got %+v %v, want Refused", e, err)
	}
	h.ready(a[1])
	h.wantTask(task.ID, handoff.TaskOffered, a[1])
	h.must(h.r.Reject(h.ctx, a[1], task.ID))
	h.must(h.r.SetState(h.ctx, a[1], handoff.StateNotReady))
	h.clock.Advance(time.Second)
	v, _ = h.r.Queue(h.ctx)
	if e := v.Entries[0]; !e.Refused {
		t.Errorf("refused by both, one Prêt: got %+v, want Refused", e)
	}
}

// TestQueueListsItsHead: Queue lists the first QueueShown tasks with the whole length;
// Positions lists further, each task brief (ID, conversation, state), with the positions and
// estimates Position gives.
func TestQueueListsItsHead(t *testing.T) {
	h := newHarness(t)
	a := h.agents(1, 1)
	total := handoff.QueueShown + 3
	for i := range total {
		h.enqueue(fmt.Sprintf("c%02d", i), handoff.PriorityNormal, "")
		h.clock.Advance(time.Second)
	}
	h.ready(a[0]) // the first task is offered
	v, err := h.r.Queue(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Entries) != handoff.QueueShown || v.Length != total || v.Entries[0].Task.Summary == "" {
		t.Fatalf("Queue: %d entries, length %d, first %+v; want %d entries, length %d, whole tasks",
			len(v.Entries), v.Length, v.Entries[0].Task, handoff.QueueShown, total)
	}
	entries, err := h.r.Positions(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != total {
		t.Fatalf("Positions: %d entries, want %d", len(entries), total)
	}
	for i, e := range entries {
		want, err := h.r.Position(h.ctx, e.Task.ID)
		if err != nil {
			t.Fatal(err)
		}
		brief := handoff.Task{ID: want.Task.ID, ConversationID: want.Task.ConversationID, State: want.Task.State}
		if e.Task != brief || e.Position != i+1 || e.Position != want.Position || e.WaitSeconds != want.WaitSeconds || e.NoAgent != want.NoAgent {
			t.Errorf("Positions[%d] = %+v; Position says %+v", i, e, want)
		}
	}
	if entries[0].Task.State != handoff.TaskOffered || entries[1].Task.State != handoff.TaskWaiting {
		t.Errorf("states: %s, %s; want offered, waiting", entries[0].Task.State, entries[1].Task.State)
	}
}

// TestTasksReadsSeveralAtOnce: Tasks returns those that exist, as Task does, by id.
func TestTasksReadsSeveralAtOnce(t *testing.T) {
	h := newHarness(t)
	a, b := h.enqueue("c1", handoff.PriorityNormal, ""), h.enqueue("c2", handoff.PriorityHigh, "")
	got, err := h.r.Tasks(h.ctx, []string{a.ID, "missing", b.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[a.ID] != h.task(a.ID) || got[b.ID] != h.task(b.ID) {
		t.Errorf("got %+v, want %s and %s as Task reads them", got, a.ID, b.ID)
	}
	if none, err := h.r.Tasks(h.ctx, nil); err != nil || len(none) != 0 {
		t.Errorf("no ids: got %v, %v", none, err)
	}
}
