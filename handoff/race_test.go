package handoff_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff"
)

// trials is 1,000 against a real Redis (CI), fewer on the slower embedded one.
func trials() int {
	switch {
	case testing.Short():
		return 50
	case os.Getenv("REDIS_URL") == "":
		return 300
	}
	return 1000
}

// TestConcurrentTakes: two router instances on one Redis, ten agents (capacity 1) racing
// for the same tasks, many times. Every task has exactly one winner, the others get a
// conflict, and no agent ever holds more than their capacity.
func TestConcurrentTakes(t *testing.T) {
	tests := []struct {
		name  string
		tasks int  // tasks per trial
		ready bool // agents are Prêt: the task is offered first, then all accept or pick
	}{
		{name: "ten agents pick three waiting tasks", tasks: 3},
		{name: "ten agents accept or pick one offered task", tasks: 1, ready: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			routers := []*handoff.Router{h.r, h.router()}
			agents := h.agents(10, 1)
			for _, a := range agents {
				h.must(h.r.Connect(h.ctx, a, "d"))
				if tt.ready {
					h.ready(a)
				}
			}
			n := trials()
			var conflicts, wins int
			for trial := range n {
				w, c := raceTrial(t, h, routers, agents, trial, tt.tasks)
				wins, conflicts = wins+w, conflicts+c
			}
			t.Logf("%d trials: %d tasks won once each, %d conflicts, no double assignment, capacity never exceeded", n, wins, conflicts)
		})
	}
}

// raceTrial enqueues tasks, lets every agent try to take them at once, checks the outcome
// and closes what was won. It returns the wins and the conflict errors.
func raceTrial(t *testing.T, h *harness, routers []*handoff.Router, agents []string, trial, tasks int) (int, int) {
	ids := make([]string, tasks)
	for j := range ids {
		ids[j] = h.enqueue(fmt.Sprintf("c%d-%d", trial, j), "", "").ID
	}
	type outcome struct{ agent, task string }
	var mu sync.Mutex
	var won []outcome
	var errs []error
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, a := range agents {
		wg.Go(func() {
			r := routers[i%2]
			<-start
			for _, k := range rand.Perm(tasks) {
				var err error
				if i%3 == 0 {
					_, _, err = r.Accept(h.ctx, a, ids[k])
				} else {
					_, _, err = r.Pick(h.ctx, a, ids[k])
				}
				mu.Lock()
				if err == nil {
					won = append(won, outcome{a, ids[k]})
				} else {
					errs = append(errs, err)
				}
				mu.Unlock() // a winner keeps trying: capacity 1 must refuse the others
			}
		})
	}
	close(start)
	wg.Wait()
	perTask, perAgent := map[string]int{}, map[string]int{}
	for _, w := range won {
		perTask[w.task]++
		perAgent[w.agent]++
	}
	for _, id := range ids {
		if perTask[id] != 1 {
			t.Fatalf("trial %d: task won %d times, want exactly once", trial, perTask[id])
		}
	}
	for a, n := range perAgent {
		if st := h.status(a); n > 1 || st.Load != 1 || st.Load > st.Capacity {
			t.Fatalf("trial %d: agent won %d, load %d of %d", trial, n, st.Load, st.Capacity)
		}
	}
	for _, err := range errs {
		if apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("trial %d: a loser got %v, want a conflict", trial, err)
		}
	}
	for i, w := range won {
		h.must(routers[i%2].Close(h.ctx, w.agent, h.task(w.task).ConversationID))
	}
	return len(won), len(errs)
}

// TestConcurrentSweepers: two instances sweeping at once, four goroutines each; every
// expired offer is applied exactly once (one offer_expired notice, one state change).
func TestConcurrentSweepers(t *testing.T) {
	h := newHarness(t)
	routers := []*handoff.Router{h.r, h.router()}
	agents := h.agents(20, 1)
	for i := range 20 {
		h.enqueue(fmt.Sprintf("c%d", i), "", "")
	}
	const rounds = 10
	expired := map[string]int{} // "round/task" → expiries applied
	states := 0
	for round := range rounds {
		h.ready(agents...) // each round, the 20 waiting tasks are offered again
		h.clock.Advance(16 * time.Second)
		var mu sync.Mutex
		var wg sync.WaitGroup
		start := make(chan struct{})
		for g := range 8 {
			wg.Go(func() {
				<-start
				ns, err := routers[g%2].Sweep(h.ctx)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				defer mu.Unlock()
				for _, n := range ns {
					switch n.Kind {
					case handoff.NoticeOfferExpired:
						expired[fmt.Sprint(round, "/", n.TaskID)]++
					case handoff.NoticeState:
						states++
					}
				}
			})
		}
		close(start)
		wg.Wait()
	}
	if len(expired) != 20*rounds || states != 20*rounds {
		t.Fatalf("got %d expiries and %d state changes, want %d each", len(expired), states, 20*rounds)
	}
	for k, n := range expired {
		if n != 1 {
			t.Errorf("%s: applied %d times, want once", k, n)
		}
	}
	t.Logf("%d offers expired by 8 concurrent sweepers on 2 instances, each applied once", len(expired))
}
