package handoff

import (
	"context"
	"errors"
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
	NoAgent       bool          `json:"no_agent,omitempty"` // no agent is Prêt: no estimate
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

// maxListed bounds Queue's listing.
const maxListed = 500

// Queue lists the first tasks of the queue (waiting and offered) in order, with positions
// and estimated waits.
func (r *Router) Queue(ctx context.Context) (QueueView, error) {
	return r.queueView(ctx, maxListed)
}

func (r *Router) queueView(ctx context.Context, limit int) (QueueView, error) {
	reply, err := queueScript.Run(ctx, r.st.Client,
		[]string{r.prefix + "queue", r.prefix + "ready", r.prefix + "handled"}, limit).Slice()
	if err != nil {
		return QueueView{}, unavailable(err)
	}
	var v QueueView
	agents, _ := reply[1].([]any)
	for _, a := range agents {
		f, _ := a.([]any)
		capacity, load := atoi(str(f[0]), 1), atoi(str(f[1]), 0)
		if str(f[2]) != "" {
			load++
		}
		v.ReadyAgents++
		v.Capacity += capacity
		v.FreeSlots += max(capacity-load, 0)
	}
	v.HandleTime = r.handleTime(reply[2])
	v.Length = int(toInt(reply[3]))
	tasks, _ := reply[0].([]any)
	waiting := 0
	for i, h := range tasks {
		e := QueueEntry{Task: taskFromHash(pairs(h)), Position: i + 1, NoAgent: v.Capacity == 0}
		if e.Task.State == TaskWaiting {
			waiting++
			if v.Capacity > 0 {
				e.EstimatedWait = time.Duration(max(waiting-v.FreeSlots, 0)) * v.HandleTime / time.Duration(v.Capacity)
			}
		}
		e.WaitSeconds = int((e.EstimatedWait + time.Second - 1) / time.Second)
		v.Entries = append(v.Entries, e)
	}
	return v, nil
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
// the queue (assigned, closed…) comes back with Position 0.
func (r *Router) Position(ctx context.Context, taskID string) (QueueEntry, error) {
	rank, err := r.st.Client.ZRank(ctx, r.prefix+"queue", taskID).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return QueueEntry{}, unavailable(err)
	}
	if err == nil {
		v, err := r.queueView(ctx, int(rank)+2) // +2: the task may have moved down by one meanwhile
		if err != nil {
			return QueueEntry{}, err
		}
		for _, e := range v.Entries {
			if e.Task.ID == taskID {
				return e, nil
			}
		}
	}
	t, err := r.Task(ctx, taskID)
	return QueueEntry{Task: t}, err
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
