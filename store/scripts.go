package store

import (
	"fmt"
	"io/fs"
	"strings"
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
