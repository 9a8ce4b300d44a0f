package desk

import (
	"embed"

	"github.com/relais/relais/store"
)

// The desk's scripts, one file each in scripts/, after scripts/prelude.lua (the home's keys
// and shared steps). Each file's header names its KEYS and ARGV; run passes the shared keys first.
//
//go:embed scripts/*.lua
var scriptFiles embed.FS

var scripts = store.NewScriptSet(scriptFiles, "prelude")

// The interactions, which the server files on its own; each answers with interaction().
var (
	attachScript      = scripts.AfterPrelude("attach")
	endScript         = scripts.AfterPrelude("end")
	resumeScript      = scripts.AfterPrelude("resume")
	changeAgentScript = scripts.AfterPrelude("change_agent")
	leaveScript       = scripts.AfterPrelude("leave")
	moveOutScript     = scripts.AfterPrelude("move_out")
	moveInScript      = scripts.AfterPrelude("move_in")
	moveDoneScript    = scripts.AfterPrelude("move_done")
)

// The records an agent edits.
var (
	createCustomerScript = scripts.AfterPrelude("create_customer")
	updateCustomerScript = scripts.AfterPrelude("update_customer")
	createRequestScript  = scripts.AfterPrelude("create_request")
	patchRequestScript   = scripts.AfterPrelude("patch_request")
	addTagScript         = scripts.AfterPrelude("add_tag")
	removeTagScript      = scripts.AfterPrelude("remove_tag")
)
