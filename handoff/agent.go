package handoff

import (
	"cmp"
	"strconv"
	"strings"
	"time"

	"github.com/relais/relais/apperr"
)

// AgentState is what the desk shows in its header.
type AgentState string

// The states of an agent.
const (
	StateReady    AgentState = "ready"     // Prêt: receives offers
	StateNotReady AgentState = "not_ready" // Non prêt: connected, receives no offer, may pick
	StateOffline  AgentState = "offline"   // Hors ligne: no desk connected (after a grace)
)

// Label is the state's French name, as the desk shows it.
func (s AgentState) Label() string {
	switch s {
	case StateReady:
		return "Prêt"
	case StateNotReady:
		return "Non prêt"
	}
	return "Hors ligne"
}

// Role is what an account may do beyond taking conversations. Customers never see it.
type Role string

// The roles of an account. An account made before roles existed is an agent.
const (
	RoleAgent      Role = "agent"       // takes conversations, reads and edits desk records
	RoleSupervisor Role = "superviseur" // an agent who may also erase and export a person's data
)

// ParseRole reads a role as an operator types it; "" is RoleAgent.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case "", RoleAgent:
		return RoleAgent, nil
	case RoleSupervisor:
		return r, nil
	}
	return "", apperr.Errorf(apperr.Invalid, "Rôle inconnu : « %s » (%s ou %s).", s, RoleAgent, RoleSupervisor)
}

// MayErase reports whether the role may erase and export a person's data.
func (r Role) MayErase() bool { return r == RoleSupervisor }

// Agent is an agent's account: who they are and what they can take.
type Agent struct {
	ID           string    `json:"id"`
	Login        string    `json:"login"`
	Name         string    `json:"name"` // display name, shown to customers
	PasswordHash []byte    `json:"-"`    // bcrypt
	Skills       []string  `json:"skills,omitempty"`
	Capacity     int       `json:"capacity"` // conversations at once
	Role         Role      `json:"role"`
	CreatedAt    time.Time `json:"created_at"`
}

// AgentStatus is an agent's routing state at one moment.
type AgentStatus struct {
	AgentID   string     `json:"agent_id"`
	State     AgentState `json:"state"`
	Load      int        `json:"load"` // conversations in progress
	Capacity  int        `json:"capacity"`
	Sockets   int        `json:"sockets"`         // desks connected
	OfferTask string     `json:"offer,omitempty"` // the task offered to the agent, if any
	// DroppedUntil is set while the agent has no socket but keeps their conversations.
	DroppedUntil time.Time `json:"dropped_until,omitzero"`
}

// Offer is a task proposed to one agent until a deadline.
type Offer struct {
	Task     Task      `json:"task"`
	AgentID  string    `json:"agent_id"`
	Deadline time.Time `json:"expires_at"`
}

// agentFromHash reads an account from its Redis hash fields.
func agentFromHash(h map[string]string) Agent {
	a := Agent{
		ID:           h["id"],
		Login:        h["login"],
		Name:         h["name"],
		PasswordHash: []byte(h["pw"]),
		Skills:       splitSkills(h["skills"]),
		Capacity:     atoi(h["capacity"], 1),
		Role:         Role(cmp.Or(h["role"], string(RoleAgent))),
		CreatedAt:    msTime(h["created"]),
	}
	return a
}

// statusFromHash reads the routing fields of an agent's hash.
func statusFromHash(id string, h map[string]string) AgentStatus {
	st := AgentStatus{
		AgentID:   id,
		State:     AgentState(h["state"]),
		Load:      atoi(h["load"], 0),
		Capacity:  atoi(h["capacity"], 1),
		Sockets:   atoi(h["sockets"], 0),
		OfferTask: h["offer"],
	}
	if st.State == "" {
		st.State = StateOffline
	}
	return st
}

// ParseState reads a state sent by the desk; only ready and not_ready may be chosen.
func ParseState(s string) (AgentState, error) {
	switch AgentState(s) {
	case StateReady, StateNotReady:
		return AgentState(s), nil
	}
	return "", apperr.Errorf(apperr.Invalid, "État inconnu : « %s » (ready ou not_ready).", s)
}

// splitSkills reads the comma-separated skills kept in Redis.
func splitSkills(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func atoi(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}
