package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relais/relais/cli"
)

// run executes the command line and returns exit code, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runWithInput(t, "", args...)
}

// runWithInput executes the command line with stdin as its standard input.
func runWithInput(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// tinyBot writes a bot folder with three intents, quick to train.
func tinyBot(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	yaml := `category: {id: test, name: "Test"}
intents:
  - id: statut_commande
    name: "Statut de la commande"
    description: "d"
    examples: ["où en est ma commande", "ma commande est où", "suivi de colis", "statut commande", "quand arrive mon colis", "livraison commande en retard"]
  - id: salutations
    name: "Salutations"
    description: "d"
    examples: ["bonjour", "salut", "coucou", "bonsoir", "hello", "slt"]
  - id: aucun
    name: "Aucun"
    description: "d"
    examples: ["quel temps fait il", "raconte une blague", "mets de la musique", "qui a gagné le match", "recette de crêpes", "allume la lumière"]
`
	if err := os.MkdirAll(filepath.Join(dir, "intents"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "intents", "test.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEvalJSON(t *testing.T) {
	bot := tinyBot(t)
	test := writeFile(t, "test.jsonl", `{"text": "elle est où ma commande", "intent": "Statut de la commande"}
{"text": "bonjour à vous", "intent": "salutations"}
`)
	code, out, errOut := run(t, "nlu", "eval", "--train", bot, "--test", test, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out)
	}
	for _, field := range []string{"accuracy", "macro_f1", "n", "train_seconds", "classify_us_p50", "confusions"} {
		if _, ok := r[field]; !ok {
			t.Errorf("JSON output lacks %q: %s", field, out)
		}
	}
	if r["n"] != 2.0 {
		t.Errorf("n: got %v, want 2", r["n"])
	}
}

func TestEvalTSVWithoutCatalogue(t *testing.T) {
	train := writeFile(t, "train.tsv", "réveille moi à 7h\talarm\nmets une alarme\talarm\nmusique douce\tmusic\njoue du jazz\tmusic\n")
	test := writeFile(t, "test.tsv", "alarme à 8h\talarm\n")
	code, out, errOut := run(t, "nlu", "eval", "--train", train, "--test", test)
	if code != 0 || !strings.Contains(out, "exactitude") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestEvalErrors(t *testing.T) {
	bot := tinyBot(t)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{name: "no test", args: []string{"nlu", "eval"}, code: 2, want: "--test SRC est obligatoire"},
		{name: "missing file", args: []string{"nlu", "eval", "--train", bot, "--test", "/nonexistent.tsv"}, code: 1, want: "source introuvable"},
		{name: "bad TSV line", args: []string{"nlu", "eval", "--train", bot, "--test", writeFile(t, "bad.tsv", "bonjour\tsalutations\nsans tabulation\n")}, code: 1, want: "bad.tsv:2: ligne attendue"},
		{name: "unknown label", args: []string{"nlu", "eval", "--train", bot, "--test", writeFile(t, "u.tsv", "x\tpas_une_intention\n")}, code: 1, want: `intention inconnue "pas_une_intention"`},
		{name: "bad JSONL", args: []string{"nlu", "eval", "--train", bot, "--test", writeFile(t, "b.jsonl", "{\"text\": 1}\n")}, code: 1, want: "b.jsonl:1: JSON invalide"},
		{name: "unknown subcommand", args: []string{"nlu", "predict"}, code: 2, want: "sous-commande inconnue"},
		{name: "unknown command", args: []string{"fly"}, code: 2, want: "commande inconnue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := run(t, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("got exit %d, stderr %q; want exit %d with %q", code, errOut, tt.code, tt.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	bot := tinyBot(t)
	code, out, errOut := run(t, "nlu", "classify", "--bot", bot, "où", "en", "est", "ma", "commande")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.Contains(lines[1], "statut_commande") || !strings.Contains(lines[1], "Statut de la commande") {
		t.Errorf("got %q, want a decision line then 3 ranked intents, statut_commande first", out)
	}
	// The second call loads the model saved by the first one.
	_, _, errOut = run(t, "nlu", "classify", "--bot", bot, "--json", "bonjour")
	if !strings.Contains(errOut, "modèle chargé") {
		t.Errorf("second classify: got %q, want the cached model loaded", errOut)
	}
}

func TestTrainWritesModel(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m.gob")
	t.Setenv("RELAIS_BOT_DIR", tinyBot(t))
	code, stdout, errOut := run(t, "nlu", "train", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if st, err := os.Stat(out); err != nil || st.Size() == 0 || !strings.Contains(stdout, "3 intentions") {
		t.Errorf("got %q and file error %v, want a model of 3 intentions written", stdout, err)
	}
}

func TestInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "monbot")
	if code, _, errOut := run(t, "init", dir); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "intents", "*.yaml"))
	if len(files) != 9 {
		t.Errorf("got %d catalogue files, want 9", len(files))
	}
	if code, out, errOut := run(t, "dialog", "check", dir); code != 0 {
		t.Errorf("dialog check on the written bot: exit %d, %s %s", code, out, errOut)
	}
	code, _, errOut := run(t, "init", dir)
	if code != 1 || !strings.Contains(errOut, "existe déjà") {
		t.Errorf("second init: exit %d, %q; want a refusal to overwrite", code, errOut)
	}
}

func TestChat(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	code, out, errOut := runWithInput(t, "/debug\nbonjour\n/quit\n", "chat", "--bot", chatBot(t))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"bot> Bienvenue !", `[intention "salutations"`, "bot> Bonjour à vous."} {
		if !strings.Contains(out, want) {
			t.Errorf("chat output lacks %q:\n%s", want, out)
		}
	}
}

// TestChatShowcaseEndsWell: with no ORDER_API_URL, `relais chat` on the built-in bot answers
// the order status from the demo backend, as `relais serve` does on the embedded store.
func TestChatShowcaseEndsWell(t *testing.T) {
	t.Setenv("ORDER_API_URL", "")
	code, out, errOut := runWithInput(t, "où en est ma commande ?\nCMD-48213\n/quit\n", "chat")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "Votre commande CMD-48213") || strings.Contains(out, "Je ne parviens pas") {
		t.Errorf("chat output: want the demo's order status:\n%s", out)
	}
}

// chatBot is tinyBot with dialog files, so that chat can run it.
func chatBot(t *testing.T) string {
	dir := tinyBot(t)
	os.MkdirAll(filepath.Join(dir, "dialog"), 0o755)
	files := map[string]string{
		"bot.yaml": `welcome: [{text: "Bienvenue !"}]
not_understood: ["Pardon ?"]
offer_agent: {text: "Un conseiller ?"}
out_of_scope: ["Hors sujet."]
disambiguation: "{{.first}} ou {{.second}} ?"
resume: "Reprenons."
cancelled: "Annulé."
`,
		"answers.yaml": `intents:
  salutations: {say: "Bonjour à vous."}
  statut_commande: {say: "Votre commande arrive."}
  aucun: {say: "Hors sujet."}
`,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, "dialog", name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestBenchURLList: --url takes a comma-separated list, and a bad item is refused before any
// request.
func TestBenchURLList(t *testing.T) {
	for _, list := range []string{"http://127.0.0.1:1,ftp://127.0.0.1:2", "http://127.0.0.1:1,", "127.0.0.1:1"} {
		code, _, errOut := run(t, "bench", "--url", list, "--customers", "1", "--duration", "1s")
		if code != 1 || !strings.Contains(errOut, "adresse de serveur") {
			t.Errorf("--url %s: got exit %d, %q; want 1 and an error on the address", list, code, errOut)
		}
	}
}
