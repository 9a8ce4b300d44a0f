package handoff_test

import (
	"errors"
	"testing"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff"
)

// TestOffers walks the push side of the state machine: offer, accept, reject, expiry.
func TestOffers(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, h *harness, a []string)
	}{
		{name: "offered to the agent idle longest, accepted in time", run: func(t *testing.T, h *harness, a []string) {
			h.ready(a[1], a[0])
			task, ns, err := h.r.Enqueue(h.ctx, handoff.NewTask{ConversationID: "c1", Summary: "s"})
			if err != nil {
				t.Fatal(err)
			}
			if !hasNotice(ns, handoff.NoticeOffered, a[1]) || !hasNotice(ns, handoff.NoticeQueue, "") {
				t.Fatalf("notices: got %v, want offered to the first ready agent and queue", kinds(ns))
			}
			if want := h.clock.Now().Add(15 * time.Second); !ns[1].Deadline.Equal(want) {
				t.Errorf("deadline: got %v, want %v", ns[1].Deadline, want)
			}
			h.clock.Advance(14 * time.Second)
			got, ns, err := h.r.Accept(h.ctx, a[1], task.ID)
			if err != nil || got.State != handoff.TaskAssigned || !hasNotice(ns, handoff.NoticeAssigned, a[1]) {
				t.Fatalf("accept: got %v %v %v", got.State, kinds(ns), err)
			}
			h.wantAgent(a[1], handoff.StateReady, 1)
			if n, _ := h.r.Length(h.ctx); n != 0 {
				t.Errorf("queue length: got %d, want 0", n)
			}
		}},
		{name: "accept too late: expired, agent Non prêt, next agent offered", run: func(t *testing.T, h *harness, a []string) {
			h.ready(a[0], a[1])
			task := h.enqueue("c1", "", "")
			h.clock.Advance(15 * time.Second)
			_, ns, err := h.r.Accept(h.ctx, a[0], task.ID)
			if !errors.Is(err, handoff.ErrExpired) {
				t.Fatalf("accept: got %v, want ErrExpired", err)
			}
			wantCode(t, err, apperr.Conflict)
			if !hasNotice(ns, handoff.NoticeOfferExpired, a[0]) || !hasNotice(ns, handoff.NoticeOffered, a[1]) {
				t.Errorf("notices: got %v", kinds(ns))
			}
			h.wantAgent(a[0], handoff.StateNotReady, 0)
			h.wantTask(task.ID, handoff.TaskOffered, a[1])
		}},
		{name: "sweeper expires the offer", run: func(t *testing.T, h *harness, a []string) {
			h.ready(a[0], a[1])
			task := h.enqueue("c1", "", "")
			h.clock.Advance(14 * time.Second)
			if ns, _ := h.r.Sweep(h.ctx); len(ns) != 0 {
				t.Errorf("sweep before the deadline: got %v, want nothing", kinds(ns))
			}
			h.clock.Advance(time.Second)
			ns, err := h.r.Sweep(h.ctx)
			if err != nil || !hasNotice(ns, handoff.NoticeOfferExpired, a[0]) || !hasNotice(ns, handoff.NoticeState, a[0]) {
				t.Fatalf("sweep: got %v %v", kinds(ns), err)
			}
			h.wantAgent(a[0], handoff.StateNotReady, 0)
			h.wantTask(task.ID, handoff.TaskOffered, a[1])
		}},
		{name: "reject: next agent, never the same one again", run: func(t *testing.T, h *harness, a []string) {
			h.ready(a[0], a[1])
			task := h.enqueue("c1", "", "")
			ns, err := h.r.Reject(h.ctx, a[0], task.ID)
			if err != nil || !hasNotice(ns, handoff.NoticeOfferRejected, a[0]) || !hasNotice(ns, handoff.NoticeOffered, a[1]) ||
				!hasNotice(ns, handoff.NoticeQueue, "") {
				t.Fatalf("reject: got %v %v, want offer_rejected, offered to the next agent and queue", kinds(ns), err)
			}
			h.wantAgent(a[0], handoff.StateReady, 0)
			ns, err = h.r.Reject(h.ctx, a[1], task.ID)
			if err != nil || !hasNotice(ns, handoff.NoticeQueue, "") {
				t.Fatalf("second reject: got %v %v, want a queue notice (the desks show « Prendre »)", kinds(ns), err)
			}
			h.wantTask(task.ID, handoff.TaskWaiting, "")
			if _, _, err := h.r.Pick(h.ctx, a[0], task.ID); err != nil {
				t.Errorf("pick after reject: %v", err)
			}
		}},
		{name: "accept a task offered to another agent", run: func(t *testing.T, h *harness, a []string) {
			h.ready(a[0])
			task := h.enqueue("c1", "", "")
			h.must(h.r.Connect(h.ctx, a[1], "d"))
			_, _, err := h.r.Accept(h.ctx, a[1], task.ID)
			if !errors.Is(err, handoff.ErrNotOffered) {
				t.Errorf("accept: got %v, want ErrNotOffered", err)
			}
			_, _, err = h.r.Pick(h.ctx, a[1], task.ID)
			wantCode(t, err, apperr.Conflict)
			h.wantTask(task.ID, handoff.TaskOffered, a[0])
		}},
		{name: "capacity: no offer beyond it, one offer at a time", run: func(t *testing.T, h *harness, a []string) {
			h.ready(a[0])
			t1, t2 := h.enqueue("c1", "", ""), h.enqueue("c2", "", "")
			h.wantTask(t2.ID, handoff.TaskWaiting, "")
			if _, _, err := h.r.Accept(h.ctx, a[0], t1.ID); err != nil {
				t.Fatal(err)
			}
			h.wantTask(t2.ID, handoff.TaskWaiting, "")
			_, _, err := h.r.Pick(h.ctx, a[0], t2.ID)
			wantCode(t, err, apperr.Conflict)
			h.must(h.r.Close(h.ctx, a[0], "c1"))
			h.wantTask(t2.ID, handoff.TaskOffered, a[0])
		}},
		{name: "skills: only agents with the category or without skills", run: func(t *testing.T, h *harness, a []string) {
			billing := h.agents(1, 1, "facturation")[0]
			delivery := h.agents(1, 1, "livraison", "retours")[0]
			h.ready(delivery, billing)
			t1 := h.enqueue("c1", "", "facturation")
			h.wantTask(t1.ID, handoff.TaskOffered, billing)
			t2 := h.enqueue("c2", "", "facturation")
			h.wantTask(t2.ID, handoff.TaskWaiting, "")
			h.ready(a[0])
			h.wantTask(t2.ID, handoff.TaskOffered, a[0])
			t3 := h.enqueue("c3", "", "retours")
			h.wantTask(t3.ID, handoff.TaskOffered, delivery)
		}},
		{name: "Non prêt withdraws the offer; Prêt needs a desk", run: func(t *testing.T, h *harness, a []string) {
			_, err := h.r.SetState(h.ctx, a[1], handoff.StateReady)
			wantCode(t, err, apperr.Conflict)
			h.ready(a[0], a[1])
			task := h.enqueue("c1", "", "")
			ns, err := h.r.SetState(h.ctx, a[0], handoff.StateNotReady)
			if err != nil || !hasNotice(ns, handoff.NoticeOfferWithdrawn, a[0]) || !hasNotice(ns, handoff.NoticeOffered, a[1]) {
				t.Fatalf("not ready: got %v %v", kinds(ns), err)
			}
			h.wantTask(task.ID, handoff.TaskOffered, a[1])
			_, err = h.r.SetState(h.ctx, a[0], "busy")
			wantCode(t, err, apperr.Invalid)
		}},
		{name: "pull: a Non prêt agent picks; the task is no longer offered", run: func(t *testing.T, h *harness, a []string) {
			h.must(h.r.Connect(h.ctx, a[0], "d"))
			task := h.enqueue("c1", "", "")
			got, ns, err := h.r.Pick(h.ctx, a[0], task.ID)
			if err != nil || got.AgentID != a[0] || !hasNotice(ns, handoff.NoticeAssigned, a[0]) {
				t.Fatalf("pick: got %+v %v %v", got, kinds(ns), err)
			}
			h.wantAgent(a[0], handoff.StateNotReady, 1)
			_, _, err = h.r.Pick(h.ctx, a[1], task.ID)
			wantCode(t, err, apperr.Conflict) // offline, then taken
			h.must(h.r.Connect(h.ctx, a[1], "d"))
			_, _, err = h.r.Pick(h.ctx, a[1], task.ID)
			if !errors.Is(err, handoff.ErrTaken) {
				t.Errorf("pick a taken task: got %v, want ErrTaken", err)
			}
		}},
		{name: "enqueue twice: one task", run: func(t *testing.T, h *harness, a []string) {
			t1 := h.enqueue("c1", "", "")
			t2, ns, err := h.r.Enqueue(h.ctx, handoff.NewTask{ConversationID: "c1"})
			if err != nil || t2.ID != t1.ID || len(ns) != 0 {
				t.Errorf("second enqueue: got %s %v %v, want %s and no notice", t2.ID, kinds(ns), err, t1.ID)
			}
			_, _, err = h.r.Enqueue(h.ctx, handoff.NewTask{ConversationID: "c2", Priority: "urgent"})
			wantCode(t, err, apperr.Invalid)
		}},
		{name: "unknown task and agent", run: func(t *testing.T, h *harness, a []string) {
			_, _, err := h.r.Accept(h.ctx, a[0], "nope")
			wantCode(t, err, apperr.NotFound)
			_, err = h.r.SetState(h.ctx, "nope", handoff.StateReady)
			wantCode(t, err, apperr.NotFound)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			tt.run(t, h, h.agents(2, 1))
		})
	}
}
