package desk

import (
	"embed"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/store"
)

// The desk's scripts, one file each in scripts/, after scripts/prelude.lua (the home's keys
// and shared steps). Each file's header names its KEYS and ARGV; run passes the shared keys first.
//
//go:embed scripts/*.lua
var scriptFiles embed.FS

const preludeFile = "scripts/prelude.lua"

// scriptSource is the text Redis runs for a file of scripts/: the prelude, then the file.
func scriptSource(name string) string {
	if name == preludeFile {
		return store.ScriptSource(scriptFiles, name)
	}
	return store.ScriptSource(scriptFiles, name, preludeFile)
}

func script(name string) *redis.Script {
	return redis.NewScript(scriptSource("scripts/" + name + ".lua"))
}

// The interactions, which the server files on its own; each answers with interaction().
var (
	attachScript      = script("attach")
	endScript         = script("end")
	resumeScript      = script("resume")
	changeAgentScript = script("change_agent")
	leaveScript       = script("leave")
	moveOutScript     = script("move_out")
	moveInScript      = script("move_in")
	moveDoneScript    = script("move_done")
)

// The records an agent edits.
var (
	createCustomerScript = script("create_customer")
	updateCustomerScript = script("update_customer")
	createRequestScript  = script("create_request")
	patchRequestScript   = script("patch_request")
	addTagScript         = script("add_tag")
	removeTagScript      = script("remove_tag")
)
