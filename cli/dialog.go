package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/relais/relais/dialog"
	"github.com/relais/relais/intents"
)

func runDialog(env *Env, args []string) error {
	if len(args) == 0 {
		return usageError{"sous-commande attendue : check ou test"}
	}
	switch args[0] {
	case "check":
		return dialogCheck(env, args[1:])
	case "test":
		return dialogTest(env, args[1:])
	}
	return usageError{fmt.Sprintf("sous-commande inconnue %q : check ou test", args[0])}
}

// botArg returns the bot folder named on the command line, or RELAIS_BOT_DIR, or "" for the
// built-in bot.
func botArg(env *Env, name string, args []string) (string, error) {
	fs := newFlags(env, name, name+" [DIR]")
	rest, err := parse(fs, args)
	if err != nil {
		return "", err
	}
	if len(rest) > 1 {
		return "", usageError{"un seul dossier attendu"}
	}
	if len(rest) == 1 {
		return rest[0], nil
	}
	return botDir(env, ""), nil
}

func dialogCheck(env *Env, args []string) error {
	dir, err := botArg(env, "dialog check", args)
	if err != nil {
		return err
	}
	bot, err := dialog.LoadBot(dir)
	if err != nil {
		fmt.Fprintln(env.Stdout, err)
		return fmt.Errorf("des erreurs empêchent de charger le bot")
	}
	if _, err := readTests(bot); err != nil {
		fmt.Fprintln(env.Stdout, err)
		return fmt.Errorf("des tests de conversation sont illisibles")
	}
	if _, err := trainConfig(bot.Dir); err != nil {
		fmt.Fprintln(env.Stdout, err)
		return fmt.Errorf("des erreurs empêchent de charger le bot")
	}
	// Advice, not errors: the bot works, but some intents will be poorly recognised.
	for _, w := range intents.Warnings(bot.Catalogue) {
		fmt.Fprintln(env.Stdout, w)
	}
	fmt.Fprintf(env.Stdout, "ok : %d intentions, %d réponses\n", len(bot.Catalogue.Intents), len(bot.Entries))
	return nil
}

func readTests(bot *dialog.Bot) ([]dialog.ConvTest, error) {
	if bot.Dir == "" {
		return dialog.ReadTests(dialog.BuiltinTestsFS(), "tests")
	}
	dir := filepath.Join(bot.Dir, "tests")
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		return nil, nil
	}
	return dialog.ReadTests(os.DirFS(dir), dir)
}

func dialogTest(env *Env, args []string) error {
	dir, err := botArg(env, "dialog test", args)
	if err != nil {
		return err
	}
	bot, err := dialog.LoadBot(dir)
	if err != nil {
		fmt.Fprintln(env.Stdout, err)
		return fmt.Errorf("des erreurs empêchent de charger le bot (relais dialog check)")
	}
	tests, err := readTests(bot)
	if err != nil {
		fmt.Fprintln(env.Stdout, err)
		return fmt.Errorf("des tests de conversation sont illisibles")
	}
	c, err := trainer(env.logger())(bot)
	if err != nil {
		return err
	}
	failed := 0
	for _, r := range dialog.RunTests(env.Ctx, bot, c, tests) {
		if len(r.Failures) == 0 {
			continue
		}
		failed++
		fmt.Fprintf(env.Stdout, "%s:%d: ÉCHEC %s\n", r.Test.File, r.Test.Line, r.Test.Name)
		for _, f := range r.Failures {
			fmt.Fprintf(env.Stdout, "    %s\n", f)
		}
	}
	fmt.Fprintf(env.Stdout, "%d tests, %d réussis, %d en échec\n", len(tests), len(tests)-failed, failed)
	if failed > 0 {
		return fmt.Errorf("%d test(s) en échec", failed)
	}
	return nil
}
