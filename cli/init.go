package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/relais/relais/dialog"
	"github.com/relais/relais/intents"
)

// runInit writes the built-in bot into a folder for a designer to edit.
func runInit(env *Env, args []string) error {
	flags := newFlags(env, "init", "init DIR")
	rest, err := parse(flags, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError{"un dossier attendu : relais init DIR"}
	}
	dir := rest[0]
	for sub, fsys := range map[string]fs.FS{
		"intents": intents.BuiltinFS(),
		"dialog":  dialog.BuiltinDialogFS(),
		"tests":   dialog.BuiltinTestsFS(),
	} {
		if err := writeTree(fsys, filepath.Join(dir, sub)); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Stdout, "bot écrit dans %s\nlancez : RELAIS_BOT_DIR=%s relais serve\n", dir, dir)
	return nil
}

// writeTree copies fsys into dir, refusing to overwrite a designer's files.
func writeTree(fsys fs.FS, dir string) error {
	return fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(path))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s existe déjà : rien n'est écrasé", target)
		}
		if err != nil {
			return err
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
}
