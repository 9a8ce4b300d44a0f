package cli_test

import (
	"encoding/json"
	"fmt"
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

// TestTrainCalibratesForBotTarget: a bot of 100 examples or more is calibrated for the
// max_rejected of its bot.yaml, and nlu train says so.
func TestTrainCalibratesForBotTarget(t *testing.T) {
	dir := t.TempDir()
	subjects := map[string][]string{
		"statut_commande": {"ma commande", "mon colis", "ma livraison", "le paquet", "mon achat"},
		"facture":         {"ma facture", "le montant facturé", "mon relevé", "la note", "mon avoir"},
		"mot_de_passe":    {"mon mot de passe", "mon identifiant", "ma connexion", "mon code", "mon compte"},
	}
	verbs := []string{"je cherche %s", "où est %s", "un souci avec %s", "question sur %s", "aidez-moi pour %s", "j'ai un problème avec %s", "c'est à propos de %s", "je voudrais voir %s"}
	var b strings.Builder
	b.WriteString("category: {id: test, name: Test}\nintents:\n")
	for _, id := range []string{"statut_commande", "facture", "mot_de_passe"} {
		b.WriteString("  - id: " + id + "\n    name: " + id + "\n    examples:\n")
		for _, s := range subjects[id] {
			for _, v := range verbs {
				b.WriteString("      - \"" + fmt.Sprintf(v, s) + "\"\n")
			}
		}
	}
	os.MkdirAll(filepath.Join(dir, "intents"), 0o755)
	os.MkdirAll(filepath.Join(dir, "dialog"), 0o755)
	os.WriteFile(filepath.Join(dir, "intents", "test.yaml"), []byte(b.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "dialog", "bot.yaml"), []byte("max_rejected: 0.1\n"), 0o644)
	code, out, errOut := run(t, "nlu", "train", "--bot", dir, "--out", filepath.Join(t.TempDir(), "m.gob"))
	if code != 0 || !strings.Contains(out, "120 exemples") || !strings.Contains(out, "pour au plus 10 % de rejets") {
		t.Errorf("got exit %d, %q %q; want a model calibrated for 10 %% of rejections", code, out, errOut)
	}
}
