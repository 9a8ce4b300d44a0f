package conversation

import (
	"embed"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/store"
)

// The conversation's scripts, one file each in scripts/; each file's header names its KEYS
// and ARGV. exchange.lua and append.lua follow scripts/full.lua, the step they share (a
// conversation closed when full).
//
//go:embed scripts/*.lua
var scriptFiles embed.FS

const fullFile = "scripts/full.lua"

// withFull are the files that follow full.lua.
var withFull = map[string]bool{"scripts/exchange.lua": true, "scripts/append.lua": true}

// scriptSource is the text Redis runs for a file of scripts/.
func scriptSource(name string) string {
	if withFull[name] {
		return store.ScriptSource(scriptFiles, name, fullFile)
	}
	return store.ScriptSource(scriptFiles, name)
}

func script(name string) *redis.Script {
	return redis.NewScript(scriptSource("scripts/" + name + ".lua"))
}

var (
	// exchangeScript stores a turn, or nothing (scripts/exchange.lua).
	exchangeScript = script("exchange")
	// appendScript appends events (scripts/append.lua).
	appendScript = script("append")
	// attachScript keeps an attachment within its quota (scripts/attach.lua).
	attachScript = script("attach")
	// detachScript removes an attachment (scripts/detach.lua).
	detachScript = script("detach")
)
