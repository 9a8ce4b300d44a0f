package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEvalCrossValidation(t *testing.T) {
	bot := tinyBot(t)
	code, out, errOut := run(t, "nlu", "eval", "--cv", "3", bot)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"validation croisée en 3 plis sur 18 exemples", "statut_commande", "— ajoutez des exemples", "politique"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, errOut = run(t, "nlu", "eval", "--cv", "3", "--json", bot)
	var r struct {
		N       int `json:"n"`
		Intents []struct {
			Intent string `json:"intent"`
		} `json:"intents"`
	}
	if err := json.Unmarshal([]byte(out), &r); code != 0 || err != nil || r.N != 18 || len(r.Intents) != 3 {
		t.Errorf("--json: exit %d, %v, got %+v, want 18 examples over 3 intents (%s)", code, err, r, errOut)
	}
	if code, _, errOut := run(t, "nlu", "eval", "--cv", "1", bot); code != 2 || !strings.Contains(errOut, "au moins 2 plis") {
		t.Errorf("--cv 1: got exit %d, %q; want a usage error", code, errOut)
	}
}

// TestDialogCheckWarnings: too few examples is advice, not a failure; a bad max_rejected is
// an error.
func TestDialogCheckWarnings(t *testing.T) {
	dir := chatBot(t)
	code, out, errOut := run(t, "dialog", "check", dir)
	if code != 0 || !strings.Contains(out, "l'intention salutations n'a que 6 exemple(s)") {
		t.Errorf("got exit %d, %q %q; want success with a warning about salutations", code, out, errOut)
	}
	f, err := os.OpenFile(filepath.Join(dir, "dialog", "bot.yaml"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("max_rejected: 5\n")
	f.Close()
	if code, out, _ := run(t, "dialog", "check", dir); code != 1 || !strings.Contains(out, "max_rejected") {
		t.Errorf("max_rejected: 5: got exit %d, %q; want an error", code, out)
	}
}
