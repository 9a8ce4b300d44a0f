package handoff

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/relais/relais/apperr"
)

// Priority orders the queue: high before normal, then oldest first.
type Priority string

// The priorities of a task.
const (
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
)

// TaskState is where a task is in its life.
type TaskState string

// The states of a task.
const (
	TaskWaiting   TaskState = "waiting"   // in the queue, offered to nobody
	TaskOffered   TaskState = "offered"   // in the queue, offered to one agent until a deadline
	TaskAssigned  TaskState = "assigned"  // an agent has the conversation ("En cours")
	TaskClosed    TaskState = "closed"    // the agent ended it or handed it back to the bot
	TaskCancelled TaskState = "cancelled" // the customer left before the end
)

// NewTask is what Enqueue needs: the conversation and what the bot learned.
type NewTask struct {
	ConversationID string
	CustomerID     string // "" when the customer is unknown
	Intent         string
	Category       string // matched against the agents' skills
	Summary        string // the bot's summary, for the agent
	Priority       Priority
}

// Task is one conversation waiting for, offered to or handled by an agent.
type Task struct {
	ID             string    `json:"id"`
	ConversationID string    `json:"conversation_id"`
	CustomerID     string    `json:"customer_id,omitempty"`
	Intent         string    `json:"intent,omitempty"`
	Category       string    `json:"category,omitempty"`
	Summary        string    `json:"summary,omitempty"`
	Priority       Priority  `json:"priority"`
	CreatedAt      time.Time `json:"created_at"`
	State          TaskState `json:"state"`
	AgentID        string    `json:"agent_id,omitempty"`   // offered to or assigned to
	Deadline       time.Time `json:"deadline,omitzero"`    // with TaskOffered
	AssignedAt     time.Time `json:"assigned_at,omitzero"` // with TaskAssigned and after
	Outcome        string    `json:"outcome,omitempty"`    // with TaskClosed: closed or handed_back
	EndedAt        time.Time `json:"ended_at,omitzero"`    // with TaskClosed, TaskCancelled
	Refusals       int       `json:"-"`                    // agents who refused its offer (QueueEntry.Refused)
}

// Limits of a task's texts, in bytes.
const (
	maxSummary = 2000
	maxField   = 200
)

// validate checks a NewTask and fills the default priority.
func (n *NewTask) validate() error {
	if n.Priority == "" {
		n.Priority = PriorityNormal
	}
	switch {
	case n.ConversationID == "" || len(n.ConversationID) > maxField:
		return apperr.New(apperr.Invalid, "La conversation de la tâche manque.")
	case n.Priority != PriorityNormal && n.Priority != PriorityHigh:
		return apperr.Errorf(apperr.Invalid, "Priorité inconnue : « %s » (normal ou high).", n.Priority)
	case len(n.Summary) > maxSummary:
		return apperr.Errorf(apperr.Invalid, "Le résumé dépasse %d caractères.", maxSummary)
	case len(n.Intent) > maxField || len(n.Category) > maxField || len(n.CustomerID) > maxField:
		return apperr.New(apperr.Invalid, "Un champ de la tâche est trop long.")
	case strings.ContainsAny(n.Category, ","):
		return apperr.New(apperr.Invalid, "Une catégorie ne contient pas de virgule.")
	}
	return nil
}

// taskFromHash reads a task from its Redis hash fields.
func taskFromHash(h map[string]string) Task {
	return Task{
		ID:             h["id"],
		ConversationID: h["conv"],
		CustomerID:     h["customer"],
		Intent:         h["intent"],
		Category:       h["category"],
		Summary:        h["summary"],
		Priority:       Priority(h["priority"]),
		CreatedAt:      msTime(h["created"]),
		State:          TaskState(h["state"]),
		AgentID:        h["agent"],
		Deadline:       msTime(h["deadline"]),
		AssignedAt:     msTime(h["assigned"]),
		Outcome:        h["outcome"],
		EndedAt:        msTime(h["ended"]),
		Refusals:       atoi(h["rejects"], 0),
	}
}

// pairs turns a flat [field, value, ...] reply (HGETALL in a script) into a map.
func pairs(v any) map[string]string {
	list, _ := v.([]any)
	m := make(map[string]string, len(list)/2)
	for i := 0; i+1 < len(list); i += 2 {
		k, _ := list[i].(string)
		m[k] = str(list[i+1])
	}
	return m
}

// msTime reads milliseconds since the epoch; "" or 0 is the zero time.
func msTime(s string) time.Time {
	ms, ok := parseMs(s)
	if !ok || ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// str turns a script reply element into a string.
func str(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	}
	return ""
}

// sortTasks orders tasks by assignment then creation time.
func sortTasks(ts []Task) {
	slices.SortFunc(ts, func(a, b Task) int {
		if c := a.AssignedAt.Compare(b.AssignedAt); c != 0 {
			return c
		}
		return a.CreatedAt.Compare(b.CreatedAt)
	})
}
