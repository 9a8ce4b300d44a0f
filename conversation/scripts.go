package conversation

import (
	"embed"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/store"
)

// The conversation's scripts, one file each in scripts/; each file's header names its KEYS
// and ARGV. post.lua and append.lua follow scripts/full.lua, the step they share (a
// conversation closed when full).
//
//go:embed scripts/*.lua
var scriptFiles embed.FS

const fullFile = "scripts/full.lua"

// withFull are the files that follow full.lua.
var withFull = map[string]bool{"scripts/post.lua": true, "scripts/append.lua": true}

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
	// postScript stores a customer message (scripts/post.lua).
	postScript = script("post")
	// appendScript appends events, releasing a Lock first when one is given (scripts/append.lua).
	appendScript = script("append")
	// unlockScript releases a lock without touching its data (scripts/unlock.lua).
	unlockScript = script("unlock")
	// takeScript takes a free lock and returns its data (scripts/take.lua).
	takeScript = script("take")
)
