package handoff_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/relais/relais/handoff"
)

// TestRenewKeepsLeasesAndNamesTheLost: Renew extends the leases of the sockets it is given, so
// that a sweep after the old lease keeps them, and names those a sweep already dropped and
// those whose agent is gone.
func TestRenewKeepsLeasesAndNamesTheLost(t *testing.T) {
	h := newHarness(t)
	const lease = 45 * time.Second // the Router's default SocketLease
	a := h.agents(3, 1)
	for i, id := range a {
		h.must(h.r.Connect(h.ctx, id, fmt.Sprintf("s%d", i)))
	}
	h.must(h.r.SetState(h.ctx, a[0], handoff.StateReady))
	renewed := []handoff.DeskSocket{{AgentID: a[0], SocketID: "s0"}, {AgentID: a[1], SocketID: "s1"}}
	h.clock.Advance(lease * 2 / 3)
	if lost, err := h.r.Renew(h.ctx, renewed); err != nil || len(lost) != 0 {
		t.Fatalf("renew: lost %v, %v; want none", lost, err)
	}
	h.clock.Advance(lease/2 + time.Second) // past the first lease, within the renewed one
	h.must(h.r.Sweep(h.ctx))
	lost, err := h.r.Renew(h.ctx, append(renewed, handoff.DeskSocket{AgentID: a[2], SocketID: "s2"},
		handoff.DeskSocket{AgentID: "nobody", SocketID: "x"}))
	if err != nil {
		t.Fatal(err)
	}
	want := []handoff.DeskSocket{{AgentID: a[2], SocketID: "s2"}, {AgentID: "nobody", SocketID: "x"}}
	if len(lost) != 2 || lost[0] != want[0] || lost[1] != want[1] {
		t.Errorf("after a sweep: lost %v, want %v (the unrenewed socket and the unknown agent)", lost, want)
	}
	if st, err := h.r.AgentStatus(h.ctx, a[0]); err != nil || st.State != handoff.StateReady {
		t.Errorf("the renewed agent: %+v %v, want still Prêt", st, err)
	}
}
