package conversation

import "time"

// Event types, as the widget and the desk read them.
const (
	TypeMessage     = "message"
	TypeTyping      = "typing"
	TypeQueued      = "queued"
	TypeAgentJoined = "agent_joined"
	TypeAgentLeft   = "agent_left"
	TypeClosed      = "closed"
	TypeAttachment  = "attachment" // a file sent by the customer or an agent (Attachment)
	// TypeReset is sent to a reader only, never stored: the store lost events it had shown
	// (a Redis failover), so it drops all it shows; the transcript follows from the start.
	TypeReset = "reset"
)

// Authors of a message event.
const (
	FromCustomer = "customer"
	FromBot      = "bot"
	FromAgent    = "agent"
	FromSystem   = "system"
)

// Event is one entry of a conversation's transcript. Seq is its position in the conversation,
// starting at 1; fields that do not apply to a type are left empty.
type Event struct {
	Seq                  int64       `json:"seq"`
	ID                   string      `json:"id,omitempty"` // the stream entry, "SEQ-TAG": a reader resumes with after=ID, which detects a rollback (see ErrRolledBack)
	Type                 string      `json:"type"`
	At                   time.Time   `json:"at"`
	From                 string      `json:"from,omitempty"`
	Text                 string      `json:"text,omitempty"`
	QuickReplies         []string    `json:"quick_replies,omitempty"`
	Position             int         `json:"position,omitempty"`               // queued: 1 = next
	EstimatedWaitSeconds int         `json:"estimated_wait_seconds,omitempty"` // queued
	Agent                string      `json:"agent,omitempty"`                  // agent_joined, agent_left, agent messages: the agent's display name
	Attachment           *Attachment `json:"attachment,omitempty"`             // attachment: the file (its content is fetched apart)
	ReopenUntil          time.Time   `json:"reopen_until,omitzero"`            // closed by an agent: until when they may reopen it (agent_joined then follows)
}

// Message returns a message event from author with text.
func Message(from, text string, quickReplies []string) Event {
	return Event{Type: TypeMessage, From: from, Text: text, QuickReplies: quickReplies}
}

// Owner says who answers the customer.
type Owner string

// The owners of a conversation.
const (
	OwnerBot    Owner = "bot"    // the bot answers
	OwnerQueued Owner = "queued" // waiting for an agent: customer messages are kept, unanswered
	OwnerAgent  Owner = "agent"  // an agent answers
	OwnerClosed Owner = "closed" // no more messages
)
