// Package cli implements the relais command line: it parses arguments and wires the
// packages together. It owns no behaviour of its own beyond printing.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
)

// Run executes the relais command line and returns the process exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		args = []string{"serve"}
	}
	env := &Env{Ctx: ctx, Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: os.Getenv}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "init":
		err = runInit(env, rest)
	case "nlu":
		err = runNLU(env, rest)
	case "dialog":
		err = runDialog(env, rest)
	case "chat":
		err = runChat(env, rest)
	case "serve":
		err = runServe(env, rest)
	case "bench":
		err = runBench(env, rest)
	case "agent":
		err = runAgent(env, rest)
	case "identity":
		err = runIdentity(env, rest)
	case "privacy":
		err = runPrivacy(env, rest)
	case "audit":
		err = runAudit(env, rest)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "relais : commande inconnue %q\n\n%s", cmd, usage)
		return 2
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "relais %s : %v\n", cmd, err)
		return 2
	default:
		fmt.Fprintf(stderr, "relais %s : %v\n", cmd, err)
		return 1
	}
}

// Env is what a command needs from the process: context, output and environment.
type Env struct {
	Ctx    context.Context
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Log    *slog.Logger // nil: text logs on Stderr
}

func (env *Env) logger() *slog.Logger {
	if env.Log == nil {
		env.Log = slog.New(slog.NewTextHandler(env.Stderr, nil))
	}
	return env.Log
}

// usageError is a mistake in the command line itself (exit code 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func newFlags(env *Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "usage : relais %s\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags, accepting them before and after positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

const usage = `relais — serveur de service client : bot français et relais vers un agent humain

usage : relais [commande] [options]

  serve                         lance le serveur (commande par défaut)
  init DIR                      écrit le bot français intégré dans DIR
  nlu train [--bot DIR] [--out FICHIER]
                                entraîne le classifieur d'intentions
  nlu classify [--bot DIR] TEXTE
                                affiche les 3 intentions les plus probables
  nlu eval [--train SRC] --test SRC [--json]
                                entraîne sur SRC et mesure sur le SRC de test
  nlu eval --cv K [--json] [SRC]
                                validation croisée du bot sur ses propres exemples
  identity sign --sub ID [--name NOM] [--email E] [--phone TEL] [--ttl 1h]
                                signe une identité client pour le widget
  privacy erase|export --customer ID | --email E | --phone TEL | --conversation ID
                                efface (avec --yes) ou exporte en JSON les données d'une personne
  privacy purge [--dry-run]     efface ce qui dépasse sa durée de conservation
  audit [--limit N] [--json] [--customer ID]
                                le journal d'audit des effacements et des exports
  dialog check|test [DIR], chat, agent add|password|role, bench

SRC : un dossier de catalogue, un fichier JSONL {"text", "intent"} ou TSV texte<TAB>intention.
Environnement : RELAIS_BOT_DIR (dossier du bot), ADDR, REDIS_URL, RELAIS_IDENTITY_SECRET.
`
