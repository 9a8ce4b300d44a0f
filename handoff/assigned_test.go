package handoff_test

import (
	"testing"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff"
)

// TestAssigned walks what happens to a conversation once an agent has it.
func TestAssigned(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, h *harness, a []string, task handoff.Task)
	}{
		{name: "close frees the slot and the next task is offered", run: func(t *testing.T, h *harness, a []string, task handoff.Task) {
			if got, err := h.r.TaskOf(h.ctx, "c1"); err != nil || got.ID != task.ID || got.State != handoff.TaskAssigned || got.AgentID != a[0] {
				t.Fatalf("TaskOf while assigned: got %+v %v, want task %s assigned to %s", got, err, task.ID, a[0])
			}
			next := h.enqueue("c2", "", "")
			h.clock.Advance(3 * time.Minute)
			ns, err := h.r.Close(h.ctx, a[0], "c1")
			if err != nil || !hasNotice(ns, handoff.NoticeClosed, a[0]) || !hasNotice(ns, handoff.NoticeOffered, a[0]) {
				t.Fatalf("close: got %v %v", kinds(ns), err)
			}
			h.wantTask(task.ID, handoff.TaskClosed, a[0])
			h.wantTask(next.ID, handoff.TaskOffered, a[0])
			if _, err := h.r.TaskOf(h.ctx, "c1"); apperr.CodeOf(err) != apperr.NotFound {
				t.Errorf("TaskOf after close: got %v, want not found", err)
			}
			v, _ := h.r.Queue(h.ctx)
			if v.HandleTime != 3*time.Minute {
				t.Errorf("handling time: got %v, want 3m", v.HandleTime)
			}
		}},
		{name: "hand back to the bot", run: func(t *testing.T, h *harness, a []string, task handoff.Task) {
			ns, err := h.r.HandBack(h.ctx, a[0], "c1")
			if err != nil || !hasNotice(ns, handoff.NoticeHandedBack, a[0]) {
				t.Fatalf("hand back: got %v %v", kinds(ns), err)
			}
			if got := h.task(task.ID); got.State != handoff.TaskClosed || got.Outcome != "handed_back" {
				t.Errorf("task: got %s/%s, want closed/handed_back", got.State, got.Outcome)
			}
			h.wantAgent(a[0], handoff.StateReady, 0)
			h.enqueue("c1", "", "") // the bot may hand it over again later
		}},
		{name: "only the agent who has it may close it", run: func(t *testing.T, h *harness, a []string, task handoff.Task) {
			_, err := h.r.Close(h.ctx, a[1], "c1")
			wantCode(t, err, apperr.Forbidden)
			_, err = h.r.Close(h.ctx, a[0], "inconnue")
			wantCode(t, err, apperr.NotFound)
			h.wantTask(task.ID, handoff.TaskAssigned, a[0])
		}},
		{name: "transfer to another agent", run: func(t *testing.T, h *harness, a []string, task handoff.Task) {
			_, _, err := h.r.Transfer(h.ctx, a[0], "c1", a[1])
			wantCode(t, err, apperr.Conflict) // a[1] is offline
			h.must(h.r.Connect(h.ctx, a[1], "d"))
			got, ns, err := h.r.Transfer(h.ctx, a[0], "c1", a[1])
			if err != nil || got.AgentID != a[1] || !hasNotice(ns, handoff.NoticeTransferred, a[0]) || !hasNotice(ns, handoff.NoticeAssigned, a[1]) {
				t.Fatalf("transfer: got %+v %v %v", got, kinds(ns), err)
			}
			h.wantAgent(a[0], handoff.StateReady, 0)
			h.wantAgent(a[1], handoff.StateNotReady, 1)
			_, _, err = h.r.Transfer(h.ctx, a[1], "c1", a[1])
			wantCode(t, err, apperr.Invalid)
		}},
		{name: "transfer to a full agent", run: func(t *testing.T, h *harness, a []string, task handoff.Task) {
			h.must(h.r.Connect(h.ctx, a[1], "d"))
			other := h.enqueue("c2", "", "")
			if _, _, err := h.r.Pick(h.ctx, a[1], other.ID); err != nil {
				t.Fatal(err)
			}
			_, _, err := h.r.Transfer(h.ctx, a[0], "c1", a[1])
			wantCode(t, err, apperr.Conflict)
		}},
		{name: "transfer back to the head of the queue, not offered to the same agent", run: func(t *testing.T, h *harness, a []string, task handoff.Task) {
			high := h.enqueue("c2", handoff.PriorityHigh, "")
			_, ns, err := h.r.Transfer(h.ctx, a[0], "c1", "")
			if err != nil || !hasNotice(ns, handoff.NoticeTransferred, a[0]) {
				t.Fatalf("transfer: got %v %v", kinds(ns), err)
			}
			h.wantTask(task.ID, handoff.TaskWaiting, "")
			h.wantTask(high.ID, handoff.TaskOffered, a[0])
			if e, _ := h.r.Position(h.ctx, task.ID); e.Position != 1 {
				t.Errorf("position: got %d, want 1 (head)", e.Position)
			}
		}},
		{name: "customer leaves while assigned", run: func(t *testing.T, h *harness, a []string, task handoff.Task) {
			ns, err := h.r.Cancel(h.ctx, "c1")
			if err != nil || !hasNotice(ns, handoff.NoticeCancelled, a[0]) {
				t.Fatalf("cancel: got %v %v", kinds(ns), err)
			}
			h.wantTask(task.ID, handoff.TaskCancelled, a[0])
			h.wantAgent(a[0], handoff.StateReady, 0)
			if got, _ := h.r.AgentTasks(h.ctx, a[0]); len(got) != 0 {
				t.Errorf("agent's tasks: got %d, want 0", len(got))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			a := h.agents(2, 1)
			h.ready(a[0])
			task := h.enqueue("c1", "", "")
			if _, _, err := h.r.Accept(h.ctx, a[0], task.ID); err != nil {
				t.Fatal(err)
			}
			if got, _ := h.r.AgentTasks(h.ctx, a[0]); len(got) != 1 || got[0].ID != task.ID {
				t.Fatalf("agent's tasks: got %v, want the accepted one", got)
			}
			tt.run(t, h, a, task)
		})
	}
}

// TestCancelBeforeAssignment: the customer leaves a waiting or offered task.
func TestCancelBeforeAssignment(t *testing.T) {
	h := newHarness(t)
	a := h.agents(1, 1)
	waiting := h.enqueue("c1", "", "")
	h.must(h.r.Cancel(h.ctx, "c1"))
	h.wantTask(waiting.ID, handoff.TaskCancelled, "")
	h.ready(a[0])
	offered := h.enqueue("c2", "", "")
	ns, err := h.r.Cancel(h.ctx, "c2")
	if err != nil || !hasNotice(ns, handoff.NoticeOfferWithdrawn, a[0]) || !hasNotice(ns, handoff.NoticeQueue, "") {
		t.Fatalf("cancel: got %v %v", kinds(ns), err)
	}
	if st := h.status(a[0]); st.OfferTask != "" || st.State != handoff.StateReady {
		t.Errorf("agent: got offer %q in %s, want none in ready", st.OfferTask, st.State)
	}
	h.wantTask(offered.ID, handoff.TaskCancelled, "") // the offer was withdrawn first
	if n, _ := h.r.Length(h.ctx); n != 0 {
		t.Errorf("queue: got %d, want 0", n)
	}
	_, err = h.r.Cancel(h.ctx, "c2")
	wantCode(t, err, apperr.NotFound)
}
