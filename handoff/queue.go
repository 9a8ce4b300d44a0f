package handoff

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/apperr"
)

// QueueEntry is a task in the queue with what its customer is told.
type QueueEntry struct {
	Task          Task          `json:"task"`
	Position      int           `json:"position"` // 1 = next
	EstimatedWait time.Duration `json:"-"`
	WaitSeconds   int           `json:"estimated_wait_seconds"`
	NoAgent       bool          `json:"no_agent,omitempty"` // no agent is Prêt, or Refused: no estimate
	Refused       bool          `json:"refused,omitempty"`  // waiting, refused by as many agents as are Prêt: none will be offered it
}

// QueueView is the queue at one moment, with the figures behind the estimates (see the
// package documentation for the formula).
type QueueView struct {
	Entries     []QueueEntry  `json:"entries"`
	Length      int           `json:"length"`       // tasks in the queue; Entries may stop earlier
	ReadyAgents int           `json:"ready_agents"` // Prêt and connected
	Capacity    int           `json:"capacity"`     // C: their total capacity
	FreeSlots   int           `json:"free_slots"`   // F: their capacity not in use or reserved by an offer
	HandleTime  time.Duration `json:"-"`            // H: mean recent handling time
}

// QueueShown is how many of the first tasks Queue lists: what a desk shows, with the
// queue's length for the rest. Its cost does not grow with the queue.
const QueueShown = 10

// maxTold bounds Positions: the customers further back keep the position they were last
// told until they come within it.
const maxTold = 500

// Queue lists the first QueueShown tasks of the queue (waiting and offered) in order, with
// positions and estimated waits, and the queue's length.
func (r *Router) Queue(ctx context.Context) (QueueView, error) {
	return r.queueView(ctx, QueueShown, false)
}

// Positions lists the first tasks of the queue (up to 500) with what their customers are
// told, for the position updates: each task carries only its ID, conversation and state.
func (r *Router) Positions(ctx context.Context) ([]QueueEntry, error) {
	v, err := r.queueView(ctx, maxTold, true)
	return v.Entries, err
}

// queueView reads the first limit tasks of the queue, whole or (brief) their ID,
// conversation, state and refusals only.
func (r *Router) queueView(ctx context.Context, limit int, brief bool) (QueueView, error) {
	mode := "all"
	if brief {
		mode = "brief"
	}
	reply, err := queueScript.Run(ctx, r.st.Client,
		[]string{r.prefix + "queue", r.prefix + "ready", r.prefix + "handled", r.prefix + "pool"}, limit, mode).Slice()
	if err != nil {
		return QueueView{}, unavailable(err)
	}
	if len(reply) < 4 {
		return QueueView{}, fmt.Errorf("handoff: réponse de file inattendue : %v", reply)
	}
	v := r.poolView(reply[1], reply[2])
	v.Length = int(toInt(reply[3]))
	tasks, _ := reply[0].([]any)
	waiting := 0
	for i, h := range tasks {
		t := taskFromHash(pairs(h))
		if brief {
			t = briefTask(h)
		}
		if t.State == TaskWaiting {
			waiting++
		}
		v.Entries = append(v.Entries, v.entry(t, i+1, waiting))
	}
	return v, nil
}

// briefTask reads a {id, conv, state} reply of the queue script.
func briefTask(v any) Task {
	f, _ := v.([]any)
	if len(f) != 4 {
		return Task{}
	}
	return Task{ID: str(f[0]), ConversationID: str(f[1]), State: TaskState(str(f[2])), Refusals: atoi(str(f[3]), 0)}
}

// poolView reads the agents' figures {ready agents, capacity, free slots} and the recent
// handling times of a queue script's reply.
func (r *Router) poolView(pool, handled any) QueueView {
	f, _ := pool.([]any)
	var v QueueView
	if len(f) == 3 {
		v.ReadyAgents = int(toInt(f[0]))
		v.Capacity = max(atoi(str(f[1]), 0), 0)
		v.FreeSlots = max(atoi(str(f[2]), 0), 0)
	}
	v.HandleTime = r.handleTime(handled)
	return v
}

// entry is task t at position (1 = next), the k-th waiting one (see the package
// documentation for the estimate).
func (v QueueView) entry(t Task, position, k int) QueueEntry {
	e := QueueEntry{Task: t, Position: position, NoAgent: v.Capacity == 0,
		Refused: t.State == TaskWaiting && t.Refusals > 0 && t.Refusals >= v.ReadyAgents}
	e.NoAgent = e.NoAgent || e.Refused
	if t.State == TaskWaiting && !e.NoAgent {
		e.EstimatedWait = time.Duration(max(k-v.FreeSlots, 0)) * v.HandleTime / time.Duration(v.Capacity)
	}
	e.WaitSeconds = int((e.EstimatedWait + time.Second - 1) / time.Second)
	return e
}

// handleTime is the mean of the recent handling times (ms), or the default.
func (r *Router) handleTime(v any) time.Duration {
	list, _ := v.([]any)
	var sum, n int64
	for _, x := range list {
		if ms, ok := parseMs(str(x)); ok && ms >= 0 {
			sum += ms
			n++
		}
	}
	if n == 0 {
		return r.opts.DefaultHandleTime
	}
	return time.Duration(sum/n) * time.Millisecond
}

// Position returns the task's place in the queue and its estimated wait; a task no longer in
// the queue (assigned, closed…) comes back with Position 0. It reads the queue's ranks, not
// the tasks ahead: its cost does not grow with the queue.
func (r *Router) Position(ctx context.Context, taskID string) (QueueEntry, error) {
	p := r.prefix
	reply, err := positionScript.Run(ctx, r.st.Client, []string{p + "queue", p + "waiting", p + "ready",
		p + "handled", p + "pool", p + "task:" + taskID}, taskID).Slice()
	if err != nil {
		return QueueEntry{}, unavailable(err)
	}
	if len(reply) < 5 {
		return QueueEntry{}, fmt.Errorf("handoff: réponse de position inattendue : %v", reply)
	}
	h := pairs(reply[2])
	if len(h) == 0 {
		return QueueEntry{}, statusErrors["not_found"]
	}
	t := taskFromHash(h)
	rank, wrank := toInt(reply[0]), toInt(reply[1])
	if rank < 0 {
		return QueueEntry{Task: t}, nil
	}
	return r.poolView(reply[3], reply[4]).entry(t, int(rank)+1, int(wrank)+1), nil
}

// Length is the number of tasks in the queue (the server's QueueLength metric).
func (r *Router) Length(ctx context.Context) (int64, error) {
	n, err := r.st.Client.ZCard(ctx, r.prefix+"queue").Result()
	if err != nil {
		return 0, unavailable(err)
	}
	return n, nil
}

// Task returns a task by id.
func (r *Router) Task(ctx context.Context, id string) (Task, error) {
	h, err := r.st.Client.HGetAll(ctx, r.prefix+"task:"+id).Result()
	if err != nil {
		return Task{}, unavailable(err)
	}
	if len(h) == 0 {
		return Task{}, statusErrors["not_found"]
	}
	return taskFromHash(h), nil
}

// Tasks returns the tasks of ids that exist, by id, in one round trip.
func (r *Router) Tasks(ctx context.Context, ids []string) (map[string]Task, error) {
	p := r.st.Client.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = p.HGetAll(ctx, r.prefix+"task:"+id)
	}
	if len(ids) > 0 {
		if _, err := p.Exec(ctx); err != nil {
			return nil, unavailable(err)
		}
	}
	out := make(map[string]Task, len(ids))
	for i, c := range cmds {
		if h := c.Val(); len(h) > 0 {
			out[ids[i]] = taskFromHash(h)
		}
	}
	return out, nil
}

// TaskOf returns the live task of a conversation (waiting, offered or assigned).
func (r *Router) TaskOf(ctx context.Context, conversationID string) (Task, error) {
	flat, err := taskOfScript.Run(ctx, r.st.Client, []string{r.prefix + "conv:" + conversationID}, conversationID).StringSlice()
	if errors.Is(err, redis.Nil) {
		return Task{}, statusErrors["conv_not_found"]
	}
	if err != nil {
		return Task{}, unavailable(err)
	}
	if len(flat) == 0 {
		return Task{}, statusErrors["not_found"]
	}
	h := make(map[string]string, len(flat)/2)
	for i := 0; i+1 < len(flat); i += 2 {
		h[flat[i]] = flat[i+1]
	}
	return taskFromHash(h), nil
}

// AgentStatus returns an agent's routing state.
func (r *Router) AgentStatus(ctx context.Context, agentID string) (AgentStatus, error) {
	p := r.st.Client.Pipeline()
	h := p.HGetAll(ctx, r.prefix+"agent:"+agentID)
	drop := p.ZScore(ctx, r.prefix+"drops", agentID)
	if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return AgentStatus{}, unavailable(err)
	}
	if len(h.Val()) == 0 {
		return AgentStatus{}, statusErrors["agent_not_found"]
	}
	st := statusFromHash(agentID, h.Val())
	if drop.Err() == nil {
		st.DroppedUntil = time.UnixMilli(int64(drop.Val())).UTC()
	}
	return st, nil
}

// AgentTasks returns the tasks assigned to agent ("En cours"), oldest first.
func (r *Router) AgentTasks(ctx context.Context, agentID string) ([]Task, error) {
	ids, err := r.st.Client.SMembers(ctx, r.prefix+"agent:"+agentID+":tasks").Result()
	if err != nil {
		return nil, unavailable(err)
	}
	out := make([]Task, 0, len(ids))
	for _, id := range ids {
		t, err := r.Task(ctx, id)
		if apperr.CodeOf(err) == apperr.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	sortTasks(out)
	return out, nil
}

func toInt(v any) int64 {
	n, _ := v.(int64)
	return n
}
