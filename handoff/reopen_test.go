package handoff_test

import (
	"testing"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff"
)

// TestReopen: the agent who closed a conversation takes it back within the window, as its
// live task again; anyone else, later, or once the conversation went on elsewhere, is refused
// and nothing changes.
func TestReopen(t *testing.T) {
	h := newHarness(t)
	ids := h.agents(2, 1)
	h.ready(ids...)
	// closed is conversation conv's task, offered, accepted then closed by its agent.
	closed := func(conv string) (handoff.Task, string, string) {
		t.Helper()
		task := h.task(h.enqueue(conv, "", "").ID)
		if _, _, err := h.r.Accept(h.ctx, task.AgentID, task.ID); err != nil {
			t.Fatal(err)
		}
		h.must(h.r.Close(h.ctx, task.AgentID, conv))
		other := ids[0]
		if other == task.AgentID {
			other = ids[1]
		}
		return task, task.AgentID, other
	}

	task, a, other := closed("c1")
	h.clock.Advance(5 * time.Minute)
	_, _, err := h.r.Reopen(h.ctx, other, task.ID)
	wantCode(t, err, apperr.Forbidden) // closed by a
	got, ns, err := h.r.Reopen(h.ctx, a, task.ID)
	if err != nil || got.State != handoff.TaskAssigned || got.AgentID != a || !hasNotice(ns, handoff.NoticeAssigned, a) {
		t.Fatalf("reopen within the window: got %+v %v %v, want assigned to the agent with a notice", got, kinds(ns), err)
	}
	h.wantAgent(a, handoff.StateReady, 1)
	if live, err := h.r.TaskOf(h.ctx, "c1"); err != nil || live.ID != task.ID || !live.EndedAt.IsZero() || live.Outcome != "" {
		t.Errorf("the conversation's live task: got %+v %v, want the reopened task, not ended", live, err)
	}
	_, _, err = h.r.Reopen(h.ctx, a, task.ID)
	wantCode(t, err, apperr.Conflict) // not closed
	if _, err := h.r.Close(h.ctx, a, "c1"); err != nil {
		t.Fatalf("the reopened conversation closes as any: %v", err)
	}

	task, a, _ = closed("c2")
	h.clock.Advance(5*time.Minute + time.Millisecond)
	_, _, err = h.r.Reopen(h.ctx, a, task.ID)
	wantCode(t, err, apperr.Conflict) // too late
	h.wantTask(task.ID, handoff.TaskClosed, a)

	task, a, _ = closed("c3")
	h.enqueue("c3", "", "") // the customer asks again: a new task
	_, _, err = h.r.Reopen(h.ctx, a, task.ID)
	wantCode(t, err, apperr.Conflict) // the conversation went on elsewhere
	h.wantTask(task.ID, handoff.TaskClosed, a)
}
