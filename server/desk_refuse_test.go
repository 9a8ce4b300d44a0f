package server_test

import (
	"context"
	"testing"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/store/storetest"
)

// TestRefusedTaskIsPickableAtOnce: after « Refuser » by the only agent Prêt, every desk's
// queue shows the task waiting (« Prendre ») without a reload, the customer reads that no
// agent is available rather than « le prochain », and the next agent Prêt is offered it.
func TestRefusedTaskIsPickableAtOnce(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	d.addAgent(t, "alice")
	bob := d.addAgent(t, "bob")
	dkA, dkB := d.openDesk(t, d.login(t, "alice")), d.openDesk(t, d.login(t, "bob"))
	dkA.await(t, "state", isType("state"))
	dkA.setReady(t)
	c := d.open(t)
	ws := d.dial(t, c, "0")
	d.say(t, c, "conseiller")
	offer := dkA.await(t, "offer", isType("offer"))
	awaitEvent(t, ws, "queued first", func(ev conversation.Event) bool { return ev.Type == conversation.TypeQueued && ev.Position == 1 })
	waitingIn := func(dk *desk, what string) {
		t.Helper()
		dk.await(t, what, func(m deskMsg) bool {
			return m.Type == "queue" && len(m.Tasks) == 1 && m.Tasks[0].Task.ID == offer.Task.ID && m.Tasks[0].Task.State == handoff.TaskWaiting
		})
	}
	dkB.await(t, "bob's queue shows the task offered", func(m deskMsg) bool {
		return m.Type == "queue" && len(m.Tasks) == 1 && m.Tasks[0].Task.State == handoff.TaskOffered
	})

	dkA.send(t, map[string]string{"type": "reject", "task_id": offer.Task.ID})
	waitingIn(dkA, "alice's queue shows the task waiting again")
	waitingIn(dkB, "bob's queue shows the task waiting again")
	queued := awaitEvent(t, ws, "queued after the refusal", func(ev conversation.Event) bool {
		return ev.Type == conversation.TypeQueued
	})
	if queued.Position != 0 {
		t.Errorf("queued after the refusal: position %d, want none (no agent will be offered it)", queued.Position)
	}
	next := awaitEvent(t, ws, "the no-agent message", func(ev conversation.Event) bool { return ev.Type == conversation.TypeMessage })
	if next.From != conversation.FromSystem || len(next.QuickReplies) != 2 || next.Seq != queued.Seq+1 {
		t.Errorf("after the refusal: got %+v, want the no-agent message with its choices", next)
	}

	dkB.setReady(t)
	got := dkB.await(t, "the offer to bob, Prêt now", isType("offer"))
	if got.Task.ID != offer.Task.ID {
		t.Errorf("bob's offer: got %+v, want the refused task", got.Task)
	}
	if task, err := d.router.TaskOf(context.Background(), c.ID); err != nil || task.AgentID != bob.ID {
		t.Errorf("task: got %+v %v, want offered to bob", task, err)
	}
}
