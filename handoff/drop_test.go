package handoff_test

import (
	"testing"
	"time"

	"github.com/relais/relais/handoff"
)

// TestAgentDropped: a desk whose socket goes keeps its conversations for the grace, then
// they go back to the head of the queue; the pending offer goes at once.
func TestAgentDropped(t *testing.T) {
	tests := []struct {
		name      string
		reconnect bool          // the desk comes back within the grace
		after     time.Duration // time between the drop and the sweep
		wantState handoff.TaskState
	}{
		{name: "within the grace", after: 59 * time.Second, wantState: handoff.TaskAssigned},
		{name: "back within the grace", reconnect: true, after: 40 * time.Second, wantState: handoff.TaskAssigned},
		{name: "after the grace: re-queued at the head", after: 60 * time.Second, wantState: handoff.TaskWaiting},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			a := h.agents(1, 2)
			h.ready(a[0])
			mine := h.enqueue("c1", "", "")
			if _, _, err := h.r.Accept(h.ctx, a[0], mine.ID); err != nil {
				t.Fatal(err)
			}
			offered := h.enqueue("c2", "", "")
			h.wantTask(offered.ID, handoff.TaskOffered, a[0])
			high := h.enqueue("c3", handoff.PriorityHigh, "")

			ns, err := h.r.Disconnect(h.ctx, a[0], "desk-"+a[0])
			if err != nil || !hasNotice(ns, handoff.NoticeOfferWithdrawn, a[0]) || !hasNotice(ns, handoff.NoticeAgentDropped, a[0]) {
				t.Fatalf("disconnect: got %v %v", kinds(ns), err)
			}
			h.wantTask(offered.ID, handoff.TaskWaiting, "")
			if tt.reconnect {
				h.clock.Advance(30 * time.Second)
				h.must(h.r.Connect(h.ctx, a[0], "desk-2"))
			}
			h.clock.Advance(tt.after)
			if _, err := h.r.Sweep(h.ctx); err != nil {
				t.Fatal(err)
			}
			if got := h.task(mine.ID); got.State != tt.wantState {
				t.Fatalf("task: got %s, want %s", got.State, tt.wantState)
			}
			if tt.wantState != handoff.TaskWaiting {
				// Back in time: still theirs (an offer made on return may have expired since).
				if st := h.status(a[0]); st.Load != 1 || st.State == handoff.StateOffline {
					t.Errorf("agent: got %s with load %d, want online with load 1", st.State, st.Load)
				}
				return
			}
			h.wantAgent(a[0], handoff.StateOffline, 0)
			v, err := h.r.Queue(h.ctx)
			if err != nil {
				t.Fatal(err)
			}
			order := []string{mine.ID, high.ID, offered.ID}
			for i, e := range v.Entries {
				if e.Task.ID != order[i] || e.Position != i+1 {
					t.Errorf("entry %d: got %s at %d, want %s", i, e.Task.ID, e.Position, order[i])
				}
			}
		})
	}
}

// TestSocketLease: a desk whose instance died stops renewing its lease; the sweeper treats it
// as a lost socket, and a renewed lease keeps the agent.
func TestSocketLease(t *testing.T) {
	h := newHarness(t)
	a := h.agents(2, 1)
	h.ready(a[0], a[1])
	for range 3 {
		h.clock.Advance(30 * time.Second)
		h.must(h.r.Connect(h.ctx, a[1], "desk-"+a[1])) // heartbeat
	}
	ns, err := h.r.Sweep(h.ctx)
	if err != nil || !hasNotice(ns, handoff.NoticeAgentDropped, a[0]) || hasNotice(ns, handoff.NoticeAgentDropped, a[1]) {
		t.Fatalf("sweep: got %v %v, want only the first agent dropped", ns, err)
	}
	if st := h.status(a[1]); st.Sockets != 1 {
		t.Errorf("sockets: got %d, want 1", st.Sockets)
	}
	h.clock.Advance(time.Minute)
	h.must(h.r.Connect(h.ctx, a[1], "desk-"+a[1]))
	h.must(h.r.Sweep(h.ctx))
	h.wantAgent(a[0], handoff.StateOffline, 0)
	h.wantAgent(a[1], handoff.StateReady, 0)
	h.must(h.r.Connect(h.ctx, a[0], "new"))
	h.wantAgent(a[0], handoff.StateNotReady, 0)
}
