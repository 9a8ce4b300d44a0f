// Package desk owns the records of the agent desk ("Bureau d'assistance clientèle"), kept in
// Redis: customers, their requests (demandes), the activities filed under a request (one per
// interaction: a chat an agent took, or a message a customer left) and the tags of an
// activity. docs/desk.md is its contract.
//
// Every record carries a version, 1 at creation and one more at every change. A write that
// two agents can race on (an edit with the version the agent read, a tag, the attachment of an
// interaction, a link to a customer) is one Lua script that checks the version, writes the
// record and its indexes in one atomic step: two agents saving version 3 at once → one
// succeeds, the other gets a *StaleError with the current record. Every key shares the hash
// tag {desk}, so the scripts also run on Redis Cluster.
//
// Indexes: e-mail (case-insensitive, unique), account number (case-insensitive, unique),
// phone (digits, several customers may share one), external id (the company's own id, from a
// signed identity, unique); the requests of a customer in creation order, its open requests,
// the activities of a request, the activity of a task and the latest of a conversation, and
// the left messages of open requests (« Messages laissés »).
//
// It does not own the routing (package handoff: tasks, agents) nor the conversations
// (package conversation), nor HTTP (package server): the server calls it when an agent
// accepts, closes or transfers, and when a customer leaves a message.
package desk
