package store

import (
	"context"
	"embed"
	"time"

	"github.com/redis/go-redis/v9"
)

// Scripts are the store's own Lua scripts (scripts/*.lua), each with a header naming its KEYS
// and ARGV.
//
//go:embed scripts/*.lua
var Scripts embed.FS

var limitScript = redis.NewScript(ScriptSource(Scripts, "scripts/limit.lua"))

// Limit counts one event of what (a client address, a login…) in a fixed window of the given
// length and returns 0 while at most limit events fell in it, else how long until the window
// ends. It is one script in Redis, so it holds across server processes.
func (s *Store) Limit(ctx context.Context, what string, limit int, window time.Duration) (time.Duration, error) {
	wait, err := limitScript.Run(ctx, s.Client, []string{s.Key("rate", what)}, limit, window.Milliseconds()).Int64()
	return time.Duration(wait) * time.Millisecond, err
}
