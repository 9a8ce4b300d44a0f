package store

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/redis/go-redis/v9"
)

// ScriptSource reads the Lua script in file name of fsys, after the files of preludes (the
// steps several scripts share, in that order): the text Redis runs. It panics when a file is
// missing, which only a build without the embedded file could do.
func ScriptSource(fsys fs.FS, name string, preludes ...string) string {
	var b strings.Builder
	for _, f := range append(preludes, name) {
		src, err := fs.ReadFile(fsys, f)
		if err != nil {
			panic(fmt.Sprintf("store: script %s : %v", f, err))
		}
		b.Write(src)
		if len(src) > 0 && src[len(src)-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// A ScriptSet is a package's Lua scripts, one file each in the folder scripts/ of an embedded
// file system; some follow a prelude, a file of the steps they share.
type ScriptSet struct {
	files   fs.FS
	prelude string
	after   map[string]bool // the files that follow the prelude
}

// NewScriptSet is the set of scripts of files whose prelude is scripts/<prelude>.lua.
func NewScriptSet(files fs.FS, prelude string) *ScriptSet {
	return &ScriptSet{files: files, prelude: scriptFile(prelude), after: map[string]bool{}}
}

// Alone is the script of scripts/<name>.lua by itself.
func (s *ScriptSet) Alone(name string) *redis.Script {
	return redis.NewScript(s.Source(scriptFile(name)))
}

// AfterPrelude is the script of scripts/<name>.lua after the prelude. Call it while the
// package's variables are set, before Source is read.
func (s *ScriptSet) AfterPrelude(name string) *redis.Script {
	s.after[scriptFile(name)] = true
	return redis.NewScript(s.Source(scriptFile(name)))
}

// Source is the text Redis runs for file name (scripts/<name>.lua): the prelude first when
// the file follows it. Tests hand it to storetest.LoadScripts.
func (s *ScriptSet) Source(name string) string {
	if s.after[name] {
		return ScriptSource(s.files, name, s.prelude)
	}
	return ScriptSource(s.files, name)
}

func scriptFile(name string) string {
	return "scripts/" + name + ".lua"
}
