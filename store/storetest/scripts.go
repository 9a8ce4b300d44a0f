package storetest

import (
	"context"
	"io/fs"
	"os"
	"path"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// LoadScripts loads every .lua file of fsys into the Redis named by REDIS_URL (SCRIPT LOAD:
// Redis compiles it without running it) and fails the test on any compile error, or on a
// file that does not start with its header (a comment naming its KEYS). source gives the
// text the package runs for a file (its preludes first, see store.ScriptSource). Without
// REDIS_URL the test is skipped: the embedded store's Lua is not Redis's.
func LoadScripts(t *testing.T, fsys fs.FS, source func(name string) string) {
	t.Helper()
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && path.Ext(p) == ".lua" {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("no embedded .lua file")
	}
	for _, name := range names {
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(raw), "--") || !strings.Contains(string(raw), "KEYS[") {
			t.Errorf("%s: the file must start with a header comment naming its KEYS and ARGV", name)
		}
	}
	if os.Getenv("REDIS_URL") == "" {
		t.Skip("REDIS_URL not set: the scripts are compiled by a real Redis only")
	}
	st := Open(t)
	if st.Embedded {
		t.Skip("embedded store")
	}
	ctx := context.Background()
	for _, name := range names {
		src := source(name)
		sha, err := st.Client.ScriptLoad(ctx, src).Result()
		if err != nil {
			t.Errorf("%s: SCRIPT LOAD: %v", name, err)
			continue
		}
		if want := redis.NewScript(src).Hash(); sha != want {
			t.Errorf("%s: SCRIPT LOAD answered %s, want %s", name, sha, want)
		}
	}
}
