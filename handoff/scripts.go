package handoff

import (
	"embed"

	"github.com/relais/relais/store"
)

// The handoff's scripts, one file each in scripts/; each file's header names its KEYS and
// ARGV. The routing transitions follow scripts/prelude.lua (the shared keys and steps;
// Router.run passes the shared keys first); the others stand alone.
//
//go:embed scripts/*.lua
var scriptFiles embed.FS

var scripts = store.NewScriptSet(scriptFiles, "prelude")

// The routing transitions, one atomic script each.
var (
	enqueueScript    = scripts.AfterPrelude("enqueue")
	setStateScript   = scripts.AfterPrelude("set_state")
	connectScript    = scripts.AfterPrelude("connect")
	disconnectScript = scripts.AfterPrelude("disconnect")
	offerScript      = scripts.AfterPrelude("offer")
	acceptScript     = scripts.AfterPrelude("accept")
	rejectScript     = scripts.AfterPrelude("reject")
	pickScript       = scripts.AfterPrelude("pick")
	closeScript      = scripts.AfterPrelude("close")
	transferScript   = scripts.AfterPrelude("transfer")
	cancelScript     = scripts.AfterPrelude("cancel")
	reopenScript     = scripts.AfterPrelude("reopen")
	sweepScript      = scripts.AfterPrelude("sweep")
	forgetScript     = scripts.AfterPrelude("forget")
)

// The reads and the accounts' writes.
var (
	queueScript       = scripts.Alone("queue")
	positionScript    = scripts.Alone("position")
	taskOfScript      = scripts.Alone("task_of")
	addScript         = scripts.Alone("add_agent")
	removeScript      = scripts.Alone("remove_agent")
	setPasswordScript = scripts.Alone("set_password")
	setRoleScript     = scripts.Alone("set_role")
	attemptScript     = scripts.Alone("attempt")
	successScript     = scripts.Alone("success")
	renewScript       = scripts.Alone("renew")
)

// sharedKeys are KEYS[1..8] of every routing script, in prelude.lua's order.
func (r *Router) sharedKeys() []string {
	p := r.prefix
	return []string{p + "queue", p + "offers", p + "avail", p + "ready", p + "drops",
		p + "sockets", p + "handled", p + "notices"}
}

// convAgentKeys are a conversation's task pointer, then agentKeys.
func (r *Router) convAgentKeys(conversationID, agentID string) []string {
	return append([]string{r.prefix + "conv:" + conversationID}, r.agentKeys(agentID)...)
}

// agentKeys are an agent's hash and set of tasks.
func (r *Router) agentKeys(id string) []string {
	return []string{r.prefix + "agent:" + id, r.prefix + "agent:" + id + ":tasks"}
}
