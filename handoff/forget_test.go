package handoff_test

import (
	"testing"
	"time"

	"github.com/relais/relais/handoff"
	"github.com/relais/relais/store/storetest"
)

func TestForgetDeletesEveryTaskOfTheConversation(t *testing.T) {
	h := newHarness(t)
	ag := h.agents(1, 2)[0]
	h.ready(ag)
	first := h.enqueue("conv-oubli", handoff.PriorityNormal, "")
	_, _, err := h.r.Accept(h.ctx, ag, first.ID)
	h.must(nil, err)
	h.must(h.r.HandBack(h.ctx, ag, "conv-oubli"))
	second := h.enqueue("conv-oubli", handoff.PriorityNormal, "")
	_, _, err = h.r.Accept(h.ctx, ag, second.ID)
	h.must(nil, err)
	other := h.enqueue("conv-reste", handoff.PriorityNormal, "")
	if h.task(other.ID).State != handoff.TaskOffered {
		t.Fatal("the other task is not offered: the test would not see it survive")
	}
	h.must(nil, h.r.Announce(h.ctx, handoff.NoticeMessages, "conv-oubli"))

	f, notices, err := h.r.Forget(h.ctx, "conv-oubli")
	h.must(nil, err)
	if f.Tasks != 2 || f.Notices == 0 || !hasNotice(notices, handoff.NoticeErased, ag) {
		t.Errorf("forgotten %+v with notices %v; want 2 tasks, earlier notices and the cancellation", f, kinds(notices))
	}
	for _, id := range []string{first.ID, second.ID} {
		if _, err := h.r.Task(h.ctx, id); err == nil {
			t.Errorf("task %s still readable", id)
		}
	}
	h.wantAgent(ag, handoff.StateReady, 0)
	h.wantTask(other.ID, handoff.TaskOffered, ag)

	kept := storetest.Lines(storetest.Dump(t, h.st), "conv-oubli")
	if len(kept) != 1 || len(storetest.Lines(kept[0], "notices stream")) != 1 {
		t.Fatalf("before the sweep, only the notices stream may name it (for the desks): %q", kept)
	}
	h.clock.Advance(handoff.NoticeKeep + time.Second)
	h.must(h.r.Sweep(h.ctx))
	for _, line := range storetest.Lines(storetest.Dump(t, h.st), "conv-oubli") {
		t.Errorf("still named after the sweep: %.300s", line)
	}
	if len(storetest.Lines(storetest.Dump(t, h.st), other.ID)) == 0 {
		t.Error("the other conversation's task went too")
	}

	again, notices, err := h.r.Forget(h.ctx, "conv-oubli")
	if err != nil || again != (handoff.Forgotten{}) || len(notices) != 0 {
		t.Errorf("second Forget: %+v %v %v", again, kinds(notices), err)
	}
}
