package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/relais/relais/intents"
)

func runNLU(env *Env, args []string) error {
	if len(args) == 0 {
		return usageError{"sous-commande attendue : train, classify ou eval"}
	}
	switch args[0] {
	case "train":
		return nluTrain(env, args[1:])
	case "classify":
		return nluClassify(env, args[1:])
	case "eval":
		return nluEval(env, args[1:])
	}
	return usageError{fmt.Sprintf("sous-commande inconnue %q : train, classify ou eval", args[0])}
}

// botDir returns the designer's bot folder from --bot or RELAIS_BOT_DIR; "" is the built-in bot.
func botDir(env *Env, flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return env.Getenv("RELAIS_BOT_DIR")
}

// loadCatalogue opens the designer's catalogue, or the built-in one when dir is "".
func loadCatalogue(dir string) (*intents.Catalogue, error) {
	if dir == "" {
		return intents.Builtin()
	}
	return intents.OpenCatalogue(dir)
}

func nluTrain(env *Env, args []string) error {
	fs := newFlags(env, "nlu train", "nlu train [--bot DIR] [--out FICHIER]")
	bot := fs.String("bot", "", "dossier du bot (défaut : RELAIS_BOT_DIR, sinon le bot intégré)")
	out := fs.String("out", "", "fichier du modèle (défaut : le cache utilisateur)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	dir := botDir(env, *bot)
	cat, err := loadCatalogue(dir)
	if err != nil {
		return err
	}
	cfg, err := trainConfig(dir)
	if err != nil {
		return err
	}
	examples := cat.Examples()
	stamp := intents.StampFor(examples, cfg)
	path := *out
	if path == "" {
		path = intents.CachePath(stamp)
	}
	start := time.Now()
	m, err := intents.TrainCalibrated(examples, cfg)
	if err != nil {
		return err
	}
	took := time.Since(start)
	if err := intents.Save(path, m, stamp); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%d exemples, %d intentions, entraîné en %.2f s\nmodèle : %s\n",
		len(examples), len(m.Labels), took.Seconds(), path)
	printPolicy(env, m)
	return nil
}

func nluClassify(env *Env, args []string) error {
	fs := newFlags(env, "nlu classify", "nlu classify [--bot DIR] [--json] TEXTE")
	bot := fs.String("bot", "", "dossier du bot (défaut : RELAIS_BOT_DIR, sinon le bot intégré)")
	asJSON := fs.Bool("json", false, "sortie JSON")
	words, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(words) == 0 {
		return usageError{"texte à classer attendu"}
	}
	dir := botDir(env, *bot)
	cat, err := loadCatalogue(dir)
	if err != nil {
		return err
	}
	cfg, err := trainConfig(dir)
	if err != nil {
		return err
	}
	m, note, err := intents.LoadOrTrain("", cat.Examples(), cfg)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stderr, note)
	d := intents.NewClassifier(m).Classify(strings.Join(words, " "))
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(d)
	}
	printDecision(env, cat, d)
	return nil
}

func printDecision(env *Env, cat *intents.Catalogue, d intents.Decision) {
	fmt.Fprintf(env.Stdout, "décision : %s", d.Status)
	if d.Intent != "" {
		fmt.Fprintf(env.Stdout, " (%s)", d.Intent)
	}
	fmt.Fprintln(env.Stdout)
	for _, s := range d.Ranked {
		name := s.Intent
		if in, ok := cat.Intent(s.Intent); ok {
			name = in.Name
		}
		fmt.Fprintf(env.Stdout, "  %.3f  %-32s %s\n", s.Confidence, s.Intent, name)
	}
}

func nluEval(env *Env, args []string) error {
	fs := newFlags(env, "nlu eval", "nlu eval [--train SRC] --test SRC [--json]  |  nlu eval --cv K [--json] [SRC]")
	trainSrc := fs.String("train", "", "données d'entraînement (défaut : le catalogue intégré)")
	testSrc := fs.String("test", "", "données de test (obligatoire sans --cv)")
	folds := fs.Int("cv", 0, "validation croisée en K plis sur les exemples de SRC (défaut : RELAIS_BOT_DIR, sinon le bot intégré)")
	asJSON := fs.Bool("json", false, "un objet JSON sur la sortie standard")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *folds != 0 {
		return nluCrossValidate(env, *folds, rest, *asJSON)
	}
	if *testSrc == "" {
		return usageError{"--test SRC est obligatoire (ou --cv K)"}
	}
	train, cat, err := readTraining(*trainSrc)
	if err != nil {
		return err
	}
	test, err := intents.ReadSource(*testSrc, cat)
	if err != nil {
		return err
	}
	cfg := intents.DefaultTrainConfig()
	if st, err := os.Stat(*trainSrc); err == nil && st.IsDir() {
		if cfg, err = trainConfig(*trainSrc); err != nil {
			return err
		}
	}
	start := time.Now()
	m, err := intents.TrainCalibrated(train, cfg)
	if err != nil {
		return err
	}
	took := time.Since(start)
	if err := checkLabels(m, test); err != nil {
		return err
	}
	r := intents.Evaluate(intents.NewClassifier(m), test)
	r.TrainSeconds, r.TrainN = took.Seconds(), len(train)
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(r)
	}
	printReport(env, r)
	return nil
}

// nluCrossValidate runs `nlu eval --cv K [SRC]`.
func nluCrossValidate(env *Env, k int, rest []string, asJSON bool) error {
	if k < 2 {
		return usageError{"--cv K : au moins 2 plis"}
	}
	if len(rest) > 1 {
		return usageError{"une seule source attendue"}
	}
	src := botDir(env, "")
	if len(rest) == 1 {
		src = rest[0]
	}
	examples, _, err := readTraining(src)
	if err != nil {
		return err
	}
	cfg := intents.DefaultTrainConfig()
	if st, err := os.Stat(src); err == nil && st.IsDir() {
		if cfg, err = trainConfig(src); err != nil {
			return err
		}
	}
	cv, err := intents.CrossValidate(examples, cfg, k)
	if err != nil {
		return err
	}
	r := cv.Report(cfg)
	if asJSON {
		return json.NewEncoder(env.Stdout).Encode(r)
	}
	printCVReport(env, r)
	return nil
}

// readTraining reads the training SRC; the catalogue is returned when SRC is one, so that
// test labels may be given by French name.
func readTraining(src string) ([]intents.Example, *intents.Catalogue, error) {
	if src == "" {
		cat, err := intents.Builtin()
		if err != nil {
			return nil, nil, err
		}
		return cat.Examples(), cat, nil
	}
	if st, err := os.Stat(src); err == nil && st.IsDir() {
		cat, err := intents.OpenCatalogue(src)
		if err != nil {
			return nil, nil, err
		}
		return cat.Examples(), cat, nil
	}
	ex, err := intents.ReadSource(src, nil)
	return ex, nil, err
}

// checkLabels refuses a test set whose labels the model cannot predict, except the
// out-of-scope intent, which rejections stand for.
func checkLabels(m *intents.Model, test []intents.Example) error {
	known := map[string]bool{intents.OutOfScopeIntentID: true}
	for _, l := range m.Labels {
		known[l] = true
	}
	for _, ex := range test {
		if !known[ex.Intent] {
			return fmt.Errorf("intention de test %q absente des données d'entraînement", ex.Intent)
		}
	}
	return nil
}

func printReport(env *Env, r intents.Report) {
	w := env.Stdout
	fmt.Fprintf(w, "exactitude      %.4f  (%d textes)\n", r.Accuracy, r.N)
	fmt.Fprintf(w, "F1 macro        %.4f\n", r.MacroF1)
	fmt.Fprintf(w, "rejetés         %.2f %%  (dont hors sujet attendu exclu : %.2f %%)\n", 100*r.RejectedRate, 100*r.InScopeRejectedRate)
	fmt.Fprintf(w, "calibration     ECE %.3f\n", r.ECE)
	fmt.Fprintf(w, "entraînement    %.2f s  (%d exemples)\n", r.TrainSeconds, r.TrainN)
	fmt.Fprintf(w, "classification  p50 %.1f µs, p99 %.1f µs\n", r.ClassifyUsP50, r.ClassifyUsP99)
	fmt.Fprintf(w, "politique       %s\n", policyLine(r.Temperature, r.Policy, r.Calibration))
	if len(r.Confusions) > 0 {
		fmt.Fprintln(w, "confusions les plus fréquentes (attendu → obtenu) :")
		for _, c := range r.Confusions {
			fmt.Fprintf(w, "  %3v  %v → %v\n", c[2], c[0], c[1])
		}
	}
}
