package handoff_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

// clock is the routers' injected time: it moves only when a test says so.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// harness is one Redis, a clock and a router on them.
type harness struct {
	t     testing.TB
	ctx   context.Context
	st    *store.Store
	clock *clock
	r     *handoff.Router
	acc   *handoff.Accounts
}

func newHarness(t testing.TB) *harness {
	st := storetest.Open(t)
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	return &harness{t: t, ctx: context.Background(), st: st, clock: c,
		r:   handoff.NewRouter(st, handoff.Options{Now: c.Now}),
		acc: handoff.NewAccounts(st, handoff.AccountOptions{Cost: 10})}
}

// router returns another router on the same Redis and clock: another server instance.
func (h *harness) router() *handoff.Router {
	return handoff.NewRouter(h.st, handoff.Options{Now: h.clock.Now})
}

// agents creates n accounts (in parallel: bcrypt is slow on purpose) and returns their ids.
func (h *harness) agents(n, capacity int, skills ...string) []string {
	h.t.Helper()
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ag, err := h.acc.Add(h.ctx, handoff.NewAgent{Login: fmt.Sprintf("agent%d-%d", i, len(skills)),
				Name: fmt.Sprintf("Agent %d", i), Password: "un-mot-de-passe", Capacity: capacity, Skills: skills})
			ids[i], errs[i] = ag.ID, err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		h.t.Fatal(err)
	}
	return ids
}

// ready connects agents' desks and sets them Prêt, one clock second apart (the first one has
// been idle longest).
func (h *harness) ready(ids ...string) {
	h.t.Helper()
	for _, id := range ids {
		h.must(h.r.Connect(h.ctx, id, "desk-"+id))
		h.must(h.r.SetState(h.ctx, id, handoff.StateReady))
		h.clock.Advance(time.Second)
	}
}

func (h *harness) enqueue(conv string, p handoff.Priority, category string) handoff.Task {
	h.t.Helper()
	task, _, err := h.r.Enqueue(h.ctx, handoff.NewTask{ConversationID: conv, Priority: p,
		Category: category, Intent: "statut_commande", Summary: "Le client attend sa commande."})
	if err != nil {
		h.t.Fatalf("enqueue %s: %v", conv, err)
	}
	return task
}

func (h *harness) task(id string) handoff.Task {
	h.t.Helper()
	task, err := h.r.Task(h.ctx, id)
	if err != nil {
		h.t.Fatalf("task %s: %v", id, err)
	}
	return task
}

func (h *harness) status(id string) handoff.AgentStatus {
	h.t.Helper()
	s, err := h.r.AgentStatus(h.ctx, id)
	if err != nil {
		h.t.Fatalf("agent %s: %v", id, err)
	}
	return s
}

func (h *harness) must(_ []handoff.Notice, err error) {
	h.t.Helper()
	if err != nil {
		h.t.Fatal(err)
	}
}

// wantTask checks a task's state and agent.
func (h *harness) wantTask(id string, state handoff.TaskState, agent string) {
	h.t.Helper()
	if got := h.task(id); got.State != state || got.AgentID != agent {
		h.t.Errorf("task: got %s for %q, want %s for %q", got.State, got.AgentID, state, agent)
	}
}

// wantAgent checks an agent's state and load.
func (h *harness) wantAgent(id string, state handoff.AgentState, load int) {
	h.t.Helper()
	if got := h.status(id); got.State != state || got.Load != load {
		h.t.Errorf("agent: got %s with load %d, want %s with load %d", got.State, got.Load, state, load)
	}
}

// wantCode checks an error's application code.
func wantCode(t testing.TB, err error, code apperr.Code) {
	t.Helper()
	if got := apperr.CodeOf(err); err == nil || got != code {
		t.Errorf("error: got %v (%s), want code %s", err, got, code)
	}
}

// kinds lists the notices' kinds, for failure messages and checks.
func kinds(ns []handoff.Notice) []handoff.NoticeKind {
	out := make([]handoff.NoticeKind, len(ns))
	for i, n := range ns {
		out[i] = n.Kind
	}
	return out
}

func hasNotice(ns []handoff.Notice, kind handoff.NoticeKind, agent string) bool {
	return slices.ContainsFunc(ns, func(n handoff.Notice) bool {
		return n.Kind == kind && (agent == "" || n.AgentID == agent)
	})
}
