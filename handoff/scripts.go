package handoff

import (
	"embed"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/store"
)

// The handoff's scripts, one file each in scripts/; each file's header names its KEYS and
// ARGV. The routing transitions follow scripts/prelude.lua (the shared keys and steps;
// Router.run passes the shared keys first); the others stand alone.
//
//go:embed scripts/*.lua
var scriptFiles embed.FS

const preludeFile = "scripts/prelude.lua"

// routingFiles are the files that follow the prelude.
var routingFiles = map[string]bool{}

// scriptSource is the text Redis runs for a file of scripts/.
func scriptSource(name string) string {
	if routingFiles[name] {
		return store.ScriptSource(scriptFiles, name, preludeFile)
	}
	return store.ScriptSource(scriptFiles, name)
}

// routing is a routing transition: the prelude, then scripts/<name>.lua.
func routing(name string) *redis.Script {
	routingFiles["scripts/"+name+".lua"] = true
	return redis.NewScript(scriptSource("scripts/" + name + ".lua"))
}

// alone is the script in scripts/<name>.lua, without the prelude.
func alone(name string) *redis.Script {
	return redis.NewScript(scriptSource("scripts/" + name + ".lua"))
}

// The routing transitions, one atomic script each.
var (
	enqueueScript    = routing("enqueue")
	setStateScript   = routing("set_state")
	connectScript    = routing("connect")
	disconnectScript = routing("disconnect")
	offerScript      = routing("offer")
	acceptScript     = routing("accept")
	rejectScript     = routing("reject")
	pickScript       = routing("pick")
	closeScript      = routing("close")
	transferScript   = routing("transfer")
	cancelScript     = routing("cancel")
	reopenScript     = routing("reopen")
	sweepScript      = routing("sweep")
	forgetScript     = routing("forget")
)

// The reads and the accounts' writes.
var (
	queueScript       = alone("queue")
	positionScript    = alone("position")
	taskOfScript      = alone("task_of")
	addScript         = alone("add_agent")
	removeScript      = alone("remove_agent")
	setPasswordScript = alone("set_password")
	setRoleScript     = alone("set_role")
	attemptScript     = alone("attempt")
	successScript     = alone("success")
	renewScript       = alone("renew")
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
