// Package dialog turns classified customer messages into the bot's answers, following the
// dialog files a bot designer writes (see README.md). It owns the dialog engine, the
// conversation sessions (in Redis), the dialog files and the designer's tools (check, test).
// It does not own classification (package intents), transport (package server) or the agent
// queue (package handoff).
package dialog

// Reply is one message of the bot to the customer.
type Reply struct {
	Text         string   `json:"text"`
	QuickReplies []string `json:"quick_replies,omitempty"`
}

// Turn is the bot's answer to one customer message (or to the opening of a conversation).
type Turn struct {
	Replies    []Reply  `json:"replies"`
	Intent     string   `json:"intent,omitempty"` // the classified intent, "" when none
	Confidence float64  `json:"confidence"`
	Understood bool     `json:"understood"`        // false: not understood or out of scope
	Handoff    *Handoff `json:"handoff,omitempty"` // the conversation goes to the agent queue
	End        bool     `json:"end,omitempty"`     // the bot closed the conversation
}

// Handoff is what the bot passes on when a conversation goes to a human agent.
type Handoff struct {
	Intent   string `json:"intent,omitempty"`
	Category string `json:"category,omitempty"`
	Priority string `json:"priority"` // "normal" or "high"
	Summary  string `json:"summary"`  // what the bot learned, for the agent
}
