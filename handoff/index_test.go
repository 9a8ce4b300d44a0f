package handoff

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

// The indexes behind dispatch() and Position (scripts/prelude.lua) checked against the
// records they summarise, inside the package: the keys are read directly.

// fixture is a router with a test clock and agents written directly (no bcrypt).
type fixture struct {
	t   *testing.T
	ctx context.Context
	st  *store.Store
	r   *Router
	mu  sync.Mutex
	now time.Time
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{t: t, ctx: context.Background(), st: storetest.Open(t),
		now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	f.r = NewRouter(f.st, Options{Now: f.clock})
	return f
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func (f *fixture) check(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// agent writes an account (capacity, comma-separated skills), connects it and sets it Prêt.
func (f *fixture) agent(id string, capacity int, skills string) {
	f.t.Helper()
	now := f.clock().UnixMilli()
	f.check(f.st.Client.HSet(f.ctx, f.r.prefix+"agent:"+id, "id", id, "login", id, "name", id,
		"skills", skills, "capacity", capacity, "created", now, "state", "offline",
		"load", 0, "sockets", 0, "offer", "", "idle", now).Err())
	_, err := f.r.Connect(f.ctx, id, "desk")
	f.check(err)
	_, err = f.r.SetState(f.ctx, id, StateReady)
	f.check(err)
	f.advance(time.Second)
}

func (f *fixture) enqueue(conv, category string, p Priority) Task {
	f.t.Helper()
	task, _, err := f.r.Enqueue(f.ctx, NewTask{ConversationID: conv, Category: category, Priority: p})
	f.check(err)
	f.advance(time.Millisecond)
	return task
}

// TestDispatchLooksPastTasksNobodyCanTake: 250 waiting tasks no agent has the skill for, then
// one an agent can take: it is offered at once, however deep in the queue.
func TestDispatchLooksPastTasksNobodyCanTake(t *testing.T) {
	f := newFixture(t)
	for i := range 250 {
		f.enqueue("y"+strconv.Itoa(i), "retours", PriorityNormal)
	}
	f.agent("a1", 1, "facturation")
	task := f.enqueue("x", "facturation", PriorityNormal)
	if got, _ := f.r.Task(f.ctx, task.ID); got.State != TaskOffered || got.AgentID != "a1" {
		t.Errorf("the matching task is %s for %q, want offered to a1", got.State, got.AgentID)
	}
	f.checkIndexes()
}

// TestIndexesFollowTheRecords runs random transitions on two routers (two processes) and
// after each checks the indexes against the records: the waiting sets against the tasks'
// states, the skill sets against AVAIL, the pool against the Prêt agents, Position against
// the queue's listing, and that no waiting task is left that an available agent could take.
func TestIndexesFollowTheRecords(t *testing.T) {
	f := newFixture(t)
	other := NewRouter(f.st, Options{Now: f.clock})
	routers := []*Router{f.r, other}
	agents := []struct{ id, skills string }{
		{"a1", "facturation"}, {"a2", "facturation,retours"}, {"a3", ""}, {"a4", "livraison"}, {"a5", "retours"},
	}
	for i, a := range agents {
		f.agent(a.id, 1+i%2, a.skills)
	}
	cats := []string{"", "facturation", "retours", "livraison", "inconnue"}
	rnd := rand.New(rand.NewPCG(17, 1))
	steps := 400
	if testing.Short() {
		steps = 100
	}
	for step := range steps {
		r := routers[rnd.IntN(2)]
		a := agents[rnd.IntN(len(agents))].id
		st, err := r.AgentStatus(f.ctx, a)
		f.check(err)
		var op string
		switch n := rnd.IntN(10); {
		case n < 3:
			p := PriorityNormal
			if rnd.IntN(4) == 0 {
				p = PriorityHigh
			}
			op = "enqueue"
			_, _, err = r.Enqueue(f.ctx, NewTask{ConversationID: fmt.Sprintf("c%d", step), Category: cats[rnd.IntN(len(cats))], Priority: p})
		case n < 5 && st.OfferTask != "":
			op = "accept"
			_, _, err = r.Accept(f.ctx, a, st.OfferTask)
		case n < 6 && st.OfferTask != "":
			op = "reject"
			_, err = r.Reject(f.ctx, a, st.OfferTask)
		case n < 8:
			op = "close"
			tasks, _ := r.AgentTasks(f.ctx, a)
			if len(tasks) > 0 {
				if rnd.IntN(4) == 0 {
					_, _, err = r.Transfer(f.ctx, a, tasks[0].ConversationID, "")
				} else {
					_, err = r.Close(f.ctx, a, tasks[0].ConversationID)
				}
			}
		case n < 9:
			op = "state"
			s := StateReady
			if st.State == StateReady {
				s = StateNotReady
			}
			_, err = r.SetState(f.ctx, a, s)
		default:
			op = "sweep"
			f.advance(time.Duration(rnd.IntN(20)) * time.Second)
			_, err = r.Connect(f.ctx, a, "desk") // renew a lease now and then
			if err == nil {
				_, err = r.Sweep(f.ctx)
			}
		}
		if err != nil && !isConflict(err) {
			t.Fatalf("step %d %s: %v", step, op, err)
		}
		f.checkIndexes()
		if t.Failed() {
			t.Fatalf("step %d (%s by %s): indexes out of step", step, op, a)
		}
	}
}

func isConflict(err error) bool {
	for _, e := range statusErrors {
		if err == e {
			return true
		}
	}
	return false
}

// checkIndexes compares the indexes with the records they summarise.
func (f *fixture) checkIndexes() {
	f.t.Helper()
	c, p := f.st.Client, f.r.prefix
	queue, err := c.ZRange(f.ctx, p+"queue", 0, -1).Result()
	f.check(err)
	var waiting []string
	byCat := map[string][]string{}
	tasks := map[string]Task{}
	for _, id := range queue {
		task, err := f.r.Task(f.ctx, id)
		f.check(err)
		tasks[id] = task
		if task.State == TaskWaiting {
			waiting = append(waiting, id)
			byCat[task.Category] = append(byCat[task.Category], id)
		}
	}
	f.same("waiting", c.ZRange(f.ctx, p+"waiting", 0, -1).Val(), waiting)
	wcats := c.SMembers(f.ctx, p+"wcats").Val()
	slices.Sort(wcats)
	var cats []string
	for cat, ids := range byCat {
		cats = append(cats, cat)
		f.same("waiting:"+cat, c.ZRange(f.ctx, p+"waiting:"+cat, 0, -1).Val(), ids)
	}
	slices.Sort(cats)
	f.same("wcats", wcats, cats)

	avail := c.ZRange(f.ctx, p+"avail", 0, -1).Val()
	skills := map[string][]string{}
	for _, a := range avail {
		sk := c.HGet(f.ctx, p+"agent:"+a, "skills").Val()
		if sk == "" {
			skills[""] = append(skills[""], a)
		}
		for s := range strings.SplitSeq(sk, ",") {
			if s != "" {
				skills[s] = append(skills[s], a)
			}
		}
	}
	for _, s := range []string{"", "facturation", "retours", "livraison"} {
		var indexed []string
		for _, a := range c.ZRange(f.ctx, p+"avail:"+s, 0, -1).Val() {
			if slices.Contains(avail, a) {
				indexed = append(indexed, a)
			}
		}
		f.same("avail:"+s, indexed, skills[s])
	}
	var nonEmpty []string
	for _, s := range []string{"", "facturation", "retours", "livraison"} {
		if c.ZCard(f.ctx, p+"avail:"+s).Val() > 0 {
			nonEmpty = append(nonEmpty, s)
		}
	}
	f.same("askills", c.SMembers(f.ctx, p+"askills").Val(), nonEmpty)

	var capacity, free int
	for _, a := range c.ZRange(f.ctx, p+"ready", 0, -1).Val() {
		st, err := f.r.AgentStatus(f.ctx, a)
		f.check(err)
		load := st.Load
		if st.OfferTask != "" {
			load++
		}
		capacity += st.Capacity
		free += max(st.Capacity-load, 0)
	}
	v, err := f.r.Queue(f.ctx)
	f.check(err)
	if v.Capacity != capacity || v.FreeSlots != free {
		f.t.Errorf("pool: capacity %d, free %d; the Prêt agents have %d, %d", v.Capacity, v.FreeSlots, capacity, free)
	}
	for _, e := range v.Entries {
		got, err := f.r.Position(f.ctx, e.Task.ID)
		f.check(err)
		if got.Position != e.Position || got.WaitSeconds != e.WaitSeconds || got.NoAgent != e.NoAgent {
			f.t.Errorf("Position(%s) = %d, %ds, %t; the listing says %d, %ds, %t", e.Task.ID,
				got.Position, got.WaitSeconds, got.NoAgent, e.Position, e.WaitSeconds, e.NoAgent)
		}
	}

	for _, id := range waiting {
		task := tasks[id]
		for _, a := range avail {
			sk := c.HGet(f.ctx, p+"agent:"+a, "skills").Val()
			can := task.Category == "" || sk == "" || slices.Contains(strings.Split(sk, ","), task.Category)
			if can && !c.SIsMember(f.ctx, p+"task:"+id+":rejected", a).Val() {
				f.t.Errorf("task %s (%q) waits while %s (%q) is available", id, task.Category, a, sk)
			}
		}
	}
}

func (f *fixture) same(what string, got, want []string) {
	f.t.Helper()
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		f.t.Errorf("%s: index %v, records %v", what, got, want)
	}
}

// TestIndexesBuiltOnARedisWithout: a Redis routed before the indexes existed (tasks waiting,
// agents Prêt, no index) gets them from the first script; the sweeper then offers.
func TestIndexesBuiltOnARedisWithout(t *testing.T) {
	f := newFixture(t)
	f.agent("a1", 2, "facturation")
	f.agent("a2", 1, "")
	_, err := f.r.SetState(f.ctx, "a1", StateNotReady)
	f.check(err)
	_, err = f.r.SetState(f.ctx, "a2", StateNotReady)
	f.check(err)
	for i := range 3 {
		f.enqueue("c"+strconv.Itoa(i), "facturation", PriorityNormal)
	}
	// What an earlier version left: the same records, no index (and a1 Prêt, not offered yet).
	c, p := f.st.Client, f.r.prefix
	keys := c.Keys(f.ctx, p+"waiting*").Val()
	keys = append(keys, c.Keys(f.ctx, p+"avail:*").Val()...)
	keys = append(keys, p+"wcats", p+"pool", p+"indexed")
	f.check(c.Del(f.ctx, keys...).Err())
	for _, a := range []string{"a1", "a2"} {
		f.check(c.HDel(f.ctx, p+"agent:"+a, "pc", "pf", "iskills").Err())
	}
	f.check(c.HSet(f.ctx, p+"agent:a1", "state", "ready").Err())
	f.check(c.ZAdd(f.ctx, p+"ready", redis.Z{Member: "a1"}).Err())
	f.check(c.ZAdd(f.ctx, p+"avail", redis.Z{Member: "a1"}).Err())

	ns, err := f.r.Sweep(f.ctx)
	f.check(err)
	if n := countKind(ns, NoticeOffered); n != 1 {
		t.Errorf("%d offers after the first sweep, want 1 (a1, free): %v", n, ns)
	}
	v, err := f.r.Queue(f.ctx)
	f.check(err)
	if v.Capacity != 2 || v.FreeSlots != 1 {
		t.Errorf("pool after the rebuild: capacity %d, free %d; want 2, 1", v.Capacity, v.FreeSlots)
	}
	f.checkIndexes()
}

func countKind(ns []Notice, k NoticeKind) int {
	n := 0
	for _, x := range ns {
		if x.Kind == k {
			n++
		}
	}
	return n
}

// TestRemovedAgentLeavesTheRouting: removing a Prêt agent's account takes their capacity out
// of the estimates and their place out of the offers.
func TestRemovedAgentLeavesTheRouting(t *testing.T) {
	f := newFixture(t)
	f.agent("a1", 3, "facturation") // idle longest: would get the next offer
	f.agent("a2", 1, "facturation")
	acc := NewAccounts(f.st, AccountOptions{})
	f.check(acc.Remove(f.ctx, "a1"))
	v, err := f.r.Queue(f.ctx)
	f.check(err)
	if v.Capacity != 1 || v.FreeSlots != 1 || v.ReadyAgents != 1 {
		t.Errorf("after the removal: %d agents, capacity %d, free %d; want 1, 1, 1", v.ReadyAgents, v.Capacity, v.FreeSlots)
	}
	task := f.enqueue("c1", "facturation", PriorityNormal)
	if got, _ := f.r.Task(f.ctx, task.ID); got.State != TaskOffered || got.AgentID != "a2" {
		t.Errorf("the task is %s for %q, want offered to a2", got.State, got.AgentID)
	}
	f.checkIndexes()
}

// TestStaleWaitingEntryIsDropped: an entry of a category's waiting index whose task does not
// wait (any more) is dropped when dispatch meets it, and the next task is offered.
func TestStaleWaitingEntryIsDropped(t *testing.T) {
	f := newFixture(t)
	c, p := f.st.Client, f.r.prefix
	f.check(c.ZAdd(f.ctx, p+"waiting:facturation", redis.Z{Score: 0, Member: "fantome"}).Err())
	f.check(c.SAdd(f.ctx, p+"wcats", "facturation").Err())
	f.agent("a1", 1, "facturation")
	task := f.enqueue("c1", "facturation", PriorityNormal)
	if got, _ := f.r.Task(f.ctx, task.ID); got.State != TaskOffered || got.AgentID != "a1" {
		t.Errorf("the task is %s for %q, want offered to a1", got.State, got.AgentID)
	}
	if n := c.ZCard(f.ctx, p+"waiting:facturation").Val(); n != 0 {
		t.Errorf("%d entries left in the category's index, want 0", n)
	}
	f.checkIndexes()
}
