package cli

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/relais/relais/demo"
	"github.com/relais/relais/dialog"
)

// runChat talks to the bot in the terminal: one line per customer message. "/debug" toggles
// the display of the classified intent and its confidence; "/quit" or end of input stops.
func runChat(env *Env, args []string) error {
	fs := newFlags(env, "chat", "chat [--bot DIR] [--debug]")
	bot := fs.String("bot", "", "dossier du bot (défaut : RELAIS_BOT_DIR, sinon le bot intégré)")
	debug := fs.Bool("debug", false, "affiche l'intention et la confiance de chaque message")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	b, err := dialog.LoadBot(botDir(env, *bot))
	if err != nil {
		return err
	}
	c, err := trainer(env.logger())(b)
	if err != nil {
		return err
	}
	// As on the embedded store: webhooks left unconfigured answer from the demo backend.
	e := dialog.NewEngine(b, c, dialog.NewMemorySessions(), dialog.Options{Log: env.logger(),
		Caller: demo.Caller{Next: dialog.NewHTTPCaller(), Getenv: env.Getenv}})
	const id = "terminal"
	t, err := e.Start(env.Ctx, id)
	if err != nil {
		return err
	}
	printTurn(env, t, false)
	fmt.Fprintln(env.Stdout, "(tapez /debug pour voir les intentions, /quit pour sortir)")
	in := bufio.NewScanner(env.Stdin)
	for fmt.Fprint(env.Stdout, "vous> "); in.Scan(); fmt.Fprint(env.Stdout, "vous> ") {
		line := strings.TrimSpace(in.Text())
		switch line {
		case "":
			continue
		case "/quit":
			return nil
		case "/debug":
			*debug = !*debug
			continue
		}
		t, err := e.Handle(env.Ctx, id, line)
		if err != nil {
			return err
		}
		printTurn(env, t, *debug)
		if t.End {
			return nil
		}
	}
	return in.Err()
}

func printTurn(env *Env, t dialog.Turn, debug bool) {
	if debug {
		fmt.Fprintf(env.Stdout, "  [intention %q, confiance %.2f]\n", t.Intent, t.Confidence)
	}
	for _, r := range t.Replies {
		fmt.Fprintf(env.Stdout, "bot> %s\n", r.Text)
		if len(r.QuickReplies) > 0 {
			fmt.Fprintf(env.Stdout, "     [%s]\n", strings.Join(r.QuickReplies, "] ["))
		}
	}
	if t.Handoff != nil {
		fmt.Fprintf(env.Stdout, "  (transfert à un conseiller : %s, priorité %s)\n", t.Handoff.Summary, t.Handoff.Priority)
	}
}
