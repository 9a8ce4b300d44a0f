package dialog

import "embed"

// Scripts are the Lua scripts of the Redis sessions (scripts/*.lua), each with a header naming
// its KEYS and ARGV.
//
//go:embed scripts/*.lua
var Scripts embed.FS
