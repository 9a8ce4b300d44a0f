package server_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/relais/relais/handoff"
	"github.com/relais/relais/store/storetest"
)

// result waits for the desk's answer about task: "assigned", "error:<code>", or why none came.
func (dk *desk) result(taskID string, within time.Duration) string {
	timeout := time.After(within)
	for {
		select {
		case m, ok := <-dk.msgs:
			if !ok {
				return "closed"
			}
			if m.Type == "assigned" && m.Task != nil && m.Task.ID == taskID {
				return "assigned"
			}
			if m.Type == "error" && m.TaskID == taskID {
				return "error:" + m.Code
			}
		case <-timeout:
			return "timeout"
		}
	}
}

// raceDuration is how long TestTenAgentsOnTwoInstancesRaceForOneTask runs trials
// (RELAIS_RACE_DURATION, e.g. 30s; 2 s by default).
func raceDuration(t *testing.T) time.Duration {
	if v := os.Getenv("RELAIS_RACE_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("RELAIS_RACE_DURATION=%q: %v", v, err)
		}
		return d
	}
	if testing.Short() {
		return 300 * time.Millisecond
	}
	return 2 * time.Second
}

// TestTenAgentsOnTwoInstancesRaceForOneTask: ten desks, five on each of two instances on one
// Redis, take the same waiting task at the same moment, trial after trial: exactly one gets
// it, the nine others get an error envelope, and nobody ever has more than their capacity.
func TestTenAgentsOnTwoInstancesRaceForOneTask(t *testing.T) {
	st := storetest.Open(t)
	instances := []*deskInstance{startDesk(t, st, testConfig()), startDesk(t, st, testConfig())}
	var desks []*desk
	var agents []handoff.Agent
	for i := range 10 {
		in := instances[i%2]
		a := in.addAgent(t, "agent"+string(rune('a'+i)))
		dk := in.openDesk(t, in.session(t, a.ID))
		dk.await(t, "state", isType("state"))
		desks = append(desks, dk)
		agents = append(agents, a)
	}
	end := time.Now().Add(raceDuration(t))
	trials := race(t, instances[0].router, desks, agents, func(int) bool { return time.Now().Before(end) })
	t.Logf("%d trials, 10 agents on 2 instances: one winner each time, 9 conflicts, no capacity exceeded", trials)
}

// race runs trials while more(trials): a new waiting task, every desk picks it at once;
// exactly one must win, the others get a conflict, and no agent's load may exceed one.
// It returns the number of trials.
func race(t *testing.T, r *handoff.Router, desks []*desk, agents []handoff.Agent, more func(trials int) bool) int {
	ctx := context.Background()
	trials := 0
	for ; more(trials); trials++ {
		task, _, err := r.Enqueue(ctx, handoff.NewTask{ConversationID: newConversationID(), Summary: "course"})
		if err != nil {
			t.Fatal(err)
		}
		results := make([]string, len(desks))
		var wg sync.WaitGroup
		for i, dk := range desks {
			wg.Go(func() {
				dk.send(t, map[string]string{"type": "pick", "task_id": task.ID})
				results[i] = dk.result(task.ID, 10*time.Second)
			})
		}
		wg.Wait()
		winner := -1
		for i, res := range results {
			switch {
			case res == "assigned" && winner >= 0:
				t.Fatalf("trial %d: task %s assigned to desks %d and %d", trials, task.ID, winner, i)
			case res == "assigned":
				winner = i
			case res != "error:conflict":
				t.Fatalf("trial %d: desk %d got %q, want assigned or error:conflict", trials, i, res)
			}
		}
		if winner < 0 {
			t.Fatalf("trial %d: nobody got task %s: %v", trials, task.ID, results)
		}
		for i, a := range agents {
			st, err := r.AgentStatus(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{true: 1, false: 0}[i == winner]; st.Load != want {
				t.Fatalf("trial %d: agent %d has load %d, want %d", trials, i, st.Load, want)
			}
		}
		desks[winner].send(t, map[string]string{"type": "close", "conversation_id": task.ConversationID})
		desks[winner].await(t, "released", isType("released"))
	}
	return trials
}

// TestTenAgentsOnTwoProcessesRaceForOneTask is issue 5's concurrency figure with two real
// `relais serve` processes on the Redis of REDIS_URL: ten agents, five connected to each
// process, pick the same task, RELAIS_RACE_TRIALS times (1,000 by default).
func TestTenAgentsOnTwoProcessesRaceForOneTask(t *testing.T) {
	redisURL := os.Getenv("REDIS_URL")
	if redisURL == "" {
		t.Skip("REDIS_URL unset: two processes need a shared Redis")
	}
	if testing.Short() {
		t.Skip("builds the binary")
	}
	want := 1000
	if v := os.Getenv("RELAIS_RACE_TRIALS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("RELAIS_RACE_TRIALS=%q: a positive number is expected", v)
		}
		want = n
	}
	bin := buildBinary(t)
	a, _ := runKillable(t, bin, redisURL)
	b, _ := runKillable(t, bin, redisURL)
	router, accounts := processesRouter(t, redisURL)
	processes := []*deskInstance{
		{instance: a, router: router, accounts: accounts},
		{instance: b, router: router, accounts: accounts},
	}
	suffix := randomSuffix()
	var desks []*desk
	var agents []handoff.Agent
	for i := range 10 {
		p := processes[i%2]
		ag, err := accounts.Add(context.Background(), handoff.NewAgent{
			Login: fmt.Sprintf("course-%d-%s", i, suffix), Name: fmt.Sprintf("Agent %d", i), Password: testPassword})
		if err != nil {
			t.Fatal(err)
		}
		dk := p.openDesk(t, p.session(t, ag.ID))
		dk.await(t, "state", isType("state"))
		desks = append(desks, dk)
		agents = append(agents, ag)
	}
	start := time.Now()
	trials := race(t, router, desks, agents, func(n int) bool { return n < want })
	t.Logf("%d trials in %v, 10 agents on 2 relais serve processes: one winner each time, 9 conflicts, no capacity exceeded",
		trials, time.Since(start).Round(time.Millisecond))
}

func newConversationID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
