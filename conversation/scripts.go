package conversation

import (
	"embed"

	"github.com/relais/relais/store"
)

// The conversation's scripts, one file each in scripts/; each file's header names its KEYS
// and ARGV. exchange.lua and append.lua follow scripts/full.lua, the step they share (a
// conversation closed when full).
//
//go:embed scripts/*.lua
var scriptFiles embed.FS

var scripts = store.NewScriptSet(scriptFiles, "full")

var (
	// exchangeScript stores a turn, or nothing (scripts/exchange.lua).
	exchangeScript = scripts.AfterPrelude("exchange")
	// appendScript appends events (scripts/append.lua).
	appendScript = scripts.AfterPrelude("append")
	// attachScript keeps an attachment within its quota (scripts/attach.lua).
	attachScript = scripts.Alone("attach")
	// detachScript removes an attachment (scripts/detach.lua).
	detachScript = scripts.Alone("detach")
)
