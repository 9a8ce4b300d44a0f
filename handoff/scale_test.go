package handoff

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

// The scale measurements of issue 17, run on demand against a real Redis (figures printed,
// nothing timed is asserted):
//
//	redis-server --port 6401 --save '' --daemonize yes
//	RELAIS_SCALE=1 REDIS_URL=redis://127.0.0.1:6401 go test ./handoff/ -run TestScale -v
//
// A Redis of its own gives clean INFO readings (commandstats, cpu).
func scaleOnly(t *testing.T) {
	if os.Getenv("RELAIS_SCALE") == "" || os.Getenv("REDIS_URL") == "" {
		t.Skip("RELAIS_SCALE and REDIS_URL not set: scale measurements run on demand")
	}
}

// TestScaleHandoffs measures handoffs/s with 10 busy agents (Prêt, capacity 1, one skill)
// and a queue that stays at T waiting tasks: each handoff is a close (the agent's slot frees,
// the head of the queue is offered to them), a new enqueue at the tail with its position
// (what the relay tells the customer), and the accept. The last case adds 490 free agents
// whose skill no task asks for. At most 400 handoffs or 5 s per case.
func TestScaleHandoffs(t *testing.T) {
	scaleOnly(t)
	for _, tc := range []struct{ waiting, others int }{{0, 0}, {100, 0}, {1000, 0}, {5000, 0}, {5000, 490}} {
		t.Run(fmt.Sprintf("%d-%d", tc.waiting, tc.others), func(t *testing.T) {
			s := newScale(t)
			agents := s.agents(10, "facturation")
			convs := map[string]string{} // agent → the conversation they hold
			for _, a := range agents {
				task, ns := s.enqueue("facturation")
				s.accept(a, offeredTo(ns, a, task.ID))
				convs[a] = task.ConversationID
			}
			for range tc.waiting {
				s.enqueue("facturation")
			}
			s.agents(tc.others, "autre")
			before := s.info()
			start := time.Now()
			n := 0
			for ; n < 400 && time.Since(start) < 5*time.Second; n++ {
				a := agents[n%len(agents)]
				ns, err := s.r.Close(s.ctx, a, convs[a])
				s.check(err)
				task, more := s.enqueue("facturation")
				_, err = s.r.Position(s.ctx, task.ID)
				s.check(err)
				offered := offeredTo(append(ns, more...), a, "")
				convs[a] = s.accept(a, offered)
			}
			elapsed := time.Since(start)
			d := s.info().minus(before)
			t.Logf("%d waiting, 10 agents + %d free without the skill: %.0f handoffs/s, Redis %.0f µs of scripts per handoff (%d handoffs, %d scripts), CPU %.2f ms per handoff",
				tc.waiting, tc.others, float64(n)/elapsed.Seconds(), d.scriptUsec/float64(n), n, d.scriptCalls, d.cpuMs/float64(n))
			if l, _ := s.r.Length(s.ctx); int(l) != tc.waiting {
				t.Errorf("queue length %d, want %d", l, tc.waiting)
			}
		})
	}
}

// TestScaleIdle measures Redis's CPU while nothing happens: 500 free agents Prêt whose skill
// matches none of the 200 waiting tasks, and two sweepers (two processes) every 500 ms.
func TestScaleIdle(t *testing.T) {
	scaleOnly(t)
	s := newScale(t)
	s.agents(500, "x")
	for range 200 {
		s.enqueue("y")
	}
	ctx, cancel := context.WithCancel(s.ctx)
	var wg sync.WaitGroup
	before := s.info()
	start := time.Now()
	for range 2 {
		r := NewRouter(s.st, Options{})
		wg.Go(func() { r.RunSweeper(ctx, 500*time.Millisecond, nil, func(err error) { t.Error(err) }) })
	}
	time.Sleep(5 * time.Second)
	cancel()
	wg.Wait()
	sec := time.Since(start).Seconds()
	d := s.info().minus(before)
	t.Logf("idle, 500 free agents without the skill, 200 waiting, 2 sweepers: Redis CPU %.1f ms/s, scripts %.1f ms/s (%d calls)",
		d.cpuMs/sec, d.scriptUsec/1000/sec, d.scriptCalls)
}

// scale is a router on a real Redis with agents written directly (no bcrypt).
type scale struct {
	t   *testing.T
	ctx context.Context
	st  *store.Store
	r   *Router
	n   int
}

func newScale(t *testing.T) *scale {
	st := storetest.Open(t)
	return &scale{t: t, ctx: context.Background(), st: st, r: NewRouter(st, Options{})}
}

func (s *scale) check(err error) {
	s.t.Helper()
	if err != nil {
		s.t.Fatal(err)
	}
}

// agents creates n agents of capacity 1 with one skill, connected and Prêt.
func (s *scale) agents(n int, skill string) []string {
	ids := make([]string, n)
	now := time.Now().UnixMilli()
	for i := range ids {
		ids[i] = fmt.Sprintf("%s%d", skill, i)
		s.check(s.st.Client.HSet(s.ctx, s.r.prefix+"agent:"+ids[i], "id", ids[i], "login", ids[i],
			"name", ids[i], "skills", skill, "capacity", 1, "created", now, "state", "offline",
			"load", 0, "sockets", 0, "offer", "", "idle", now).Err())
		_, err := s.r.Connect(s.ctx, ids[i], "desk")
		s.check(err)
		_, err = s.r.SetState(s.ctx, ids[i], StateReady)
		s.check(err)
	}
	return ids
}

func (s *scale) enqueue(category string) (Task, []Notice) {
	s.n++
	task, ns, err := s.r.Enqueue(s.ctx, NewTask{ConversationID: "c" + strconv.Itoa(s.n),
		Category: category, Summary: "Le client attend sa facture."})
	s.check(err)
	return task, ns
}

// accept accepts task for agent and returns its conversation.
func (s *scale) accept(agent, task string) string {
	s.t.Helper()
	if task == "" {
		s.t.Fatalf("no offer for %s", agent)
	}
	got, _, err := s.r.Accept(s.ctx, agent, task)
	s.check(err)
	return got.ConversationID
}

// offeredTo is the task offered to agent among ns (want, when set, must be it).
func offeredTo(ns []Notice, agent, want string) string {
	for _, n := range ns {
		if n.Kind == NoticeOffered && n.AgentID == agent && (want == "" || n.TaskID == want) {
			return n.TaskID
		}
	}
	return ""
}

// redisInfo is what INFO says about the scripts run and the CPU used.
type redisInfo struct {
	scriptUsec  float64
	scriptCalls int64
	cpuMs       float64
}

func (s *scale) info() redisInfo {
	text, err := s.st.Client.Info(s.ctx, "commandstats", "cpu").Result()
	s.check(err)
	var in redisInfo
	for line := range strings.SplitSeq(text, "\r\n") {
		k, v, _ := strings.Cut(line, ":")
		switch k {
		case "cmdstat_evalsha", "cmdstat_eval":
			for f := range strings.SplitSeq(v, ",") {
				name, val, _ := strings.Cut(f, "=")
				n, _ := strconv.ParseFloat(val, 64)
				switch name {
				case "calls":
					in.scriptCalls += int64(n)
				case "usec":
					in.scriptUsec += n
				}
			}
		case "used_cpu_sys", "used_cpu_user":
			n, _ := strconv.ParseFloat(v, 64)
			in.cpuMs += n * 1000
		}
	}
	return in
}

func (a redisInfo) minus(b redisInfo) redisInfo {
	return redisInfo{a.scriptUsec - b.scriptUsec, a.scriptCalls - b.scriptCalls, a.cpuMs - b.cpuMs}
}
