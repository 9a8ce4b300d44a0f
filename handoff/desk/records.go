package desk

import (
	"strconv"
	"strings"
)

// RequestStatus says whether a request is still being worked on.
type RequestStatus string

// The statuses of a request.
const (
	StatusOpen   RequestStatus = "open"
	StatusClosed RequestStatus = "closed"
)

// ActivityKind says what an interaction was.
type ActivityKind string

// The kinds of activity.
const (
	KindChat    ActivityKind = "chat"    // a conversation an agent took
	KindMessage ActivityKind = "message" // a message the customer left when no agent was available
)

// Customer is a customer's record: the fields an agent edits and the record's bookkeeping.
type Customer struct {
	ID      string `json:"id"`
	Version int64  `json:"version"`
	CustomerFields
	ExternalID string `json:"external_id"` // the company's id, from a signed identity only
	CreatedAt  string `json:"created_at"`
	UpdatedAt  string `json:"updated_at"`
	UpdatedBy  string `json:"updated_by"` // agent id, "" for the system
}

// Request is a customer's request (demande): the activities that dealt with one problem.
type Request struct {
	ID          string        `json:"id"`
	Version     int64         `json:"version"`
	CustomerID  string        `json:"customer_id"` // "" while the customer is unknown
	Title       string        `json:"title"`
	Description string        `json:"description"`
	Status      RequestStatus `json:"status"`
	CreatedAt   string        `json:"created_at"`
	ClosedAt    string        `json:"closed_at"` // "" while open
	UpdatedAt   string        `json:"updated_at"`
	UpdatedBy   string        `json:"updated_by"`
}

// Activity is one interaction filed under a request.
type Activity struct {
	ID             string       `json:"id"`
	Version        int64        `json:"version"`
	RequestID      string       `json:"request_id"`
	CustomerID     string       `json:"customer_id"`
	ConversationID string       `json:"conversation_id"`
	TaskID         string       `json:"task_id"`
	Kind           ActivityKind `json:"kind"`
	AgentID        string       `json:"agent_id"`
	AgentName      string       `json:"agent_name"`
	Intent         string       `json:"intent"`
	Summary        string       `json:"summary"` // the bot's summary of the handoff
	Message        string       `json:"message"` // with KindMessage: what the customer left
	// Contact is, with KindMessage, the e-mail or phone an anonymous customer gave to be
	// answered ("" when the customer is known).
	Contact   string   `json:"contact,omitempty"`
	Tags      []string `json:"tags"` // the agents' spelling, in the order added
	StartedAt string   `json:"started_at"`
	EndedAt   string   `json:"ended_at"`
	CreatedAt string   `json:"created_at"`
	UpdatedAt string   `json:"updated_at"`
	UpdatedBy string   `json:"updated_by"`
}

// JourneyRequest is a request with its activities, newest first.
type JourneyRequest struct {
	Request
	Activities []Activity `json:"activities"`
}

// Journey is a customer's history: their requests, newest first.
type Journey struct {
	Customer Customer         `json:"customer"`
	Requests []JourneyRequest `json:"requests"`
}

// Interaction is the desk's view of one interaction: its request, its activity, and its
// customer (nil while unknown). The agent websocket's "assigned" envelope carries it as "desk".
type Interaction struct {
	Request  Request   `json:"request"`
	Activity Activity  `json:"activity"`
	Customer *Customer `json:"customer"`
}

// tagSep separates the tags in their Redis field; tags never hold control characters.
const tagSep = "\x1f"

func customerFromHash(h map[string]string) Customer {
	return Customer{
		ID: h["id"], Version: version(h),
		CustomerFields: CustomerFields{
			Name: h["name"], Email: h["email"], Phone: h["phone"], Address: h["address"],
			AccountNumber: h["account_number"], Language: h["language"], Notes: h["notes"],
		},
		ExternalID: h["external_id"], CreatedAt: h["created_at"],
		UpdatedAt: h["updated_at"], UpdatedBy: h["updated_by"],
	}
}

func requestFromHash(h map[string]string) Request {
	return Request{
		ID: h["id"], Version: version(h), CustomerID: h["customer_id"], Title: h["title"],
		Description: h["description"], Status: RequestStatus(h["status"]), CreatedAt: h["created_at"],
		ClosedAt: h["closed_at"], UpdatedAt: h["updated_at"], UpdatedBy: h["updated_by"],
	}
}

func activityFromHash(h map[string]string) Activity {
	tags := []string{}
	if h["tags"] != "" {
		tags = strings.Split(h["tags"], tagSep)
	}
	return Activity{
		ID: h["id"], Version: version(h), RequestID: h["request_id"], CustomerID: h["customer_id"],
		ConversationID: h["conversation_id"], TaskID: h["task_id"], Kind: ActivityKind(h["kind"]),
		AgentID: h["agent_id"], AgentName: h["agent_name"], Intent: h["intent"], Summary: h["summary"],
		Message: h["message"], Contact: h["contact"], Tags: tags, StartedAt: h["started_at"], EndedAt: h["ended_at"],
		CreatedAt: h["created_at"], UpdatedAt: h["updated_at"], UpdatedBy: h["updated_by"],
	}
}

func version(h map[string]string) int64 {
	v, _ := strconv.ParseInt(h["version"], 10, 64)
	return v
}
