package intents

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// OpenCatalogue loads a catalogue folder: either a bot folder (with an intents/ folder inside)
// or the folder of category YAML files itself.
func OpenCatalogue(dir string) (*Catalogue, error) {
	if st, err := os.Stat(filepath.Join(dir, "intents")); err == nil && st.IsDir() {
		dir = filepath.Join(dir, "intents")
	}
	return Load(os.DirFS(dir), dir)
}

// ReadSource reads labelled examples from SRC: a catalogue folder, a JSONL file of
// {"text", "intent"} objects, or a TSV file of text<TAB>intent lines. When cat is not nil,
// each label may be an intent id or its exact French name and is turned into the id.
func ReadSource(src string, cat *Catalogue) ([]Example, error) {
	st, err := os.Stat(src)
	if err != nil {
		return nil, fmt.Errorf("source introuvable : %w", err)
	}
	if st.IsDir() {
		c, err := OpenCatalogue(src)
		if err != nil {
			return nil, err
		}
		return c.Examples(), nil
	}
	f, err := os.Open(src)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	parse := parseTSVLine
	if strings.HasSuffix(strings.ToLower(src), ".jsonl") {
		parse = parseJSONLine
	}
	return readLines(src, f, parse, cat)
}

func readLines(name string, r io.Reader, parse func(string) (Example, error), cat *Catalogue) ([]Example, error) {
	var out []Example
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		ex, err := parse(line)
		if err == nil && cat != nil {
			ex.Intent, err = cat.Resolve(ex.Intent)
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s : aucun exemple", name)
	}
	return out, nil
}

func parseTSVLine(line string) (Example, error) {
	text, intent, ok := strings.Cut(line, "\t")
	intent = strings.TrimSpace(intent)
	if !ok || strings.Contains(intent, "\t") || intent == "" {
		return Example{}, fmt.Errorf("ligne attendue : texte<TAB>intention")
	}
	return Example{Text: text, Intent: intent}, nil
}

func parseJSONLine(line string) (Example, error) {
	var v struct {
		Text   *string `json:"text"`
		Intent *string `json:"intent"`
	}
	if err := json.Unmarshal([]byte(line), &v); err != nil {
		return Example{}, fmt.Errorf("JSON invalide : %v", err)
	}
	if v.Text == nil || v.Intent == nil || *v.Intent == "" {
		return Example{}, fmt.Errorf(`objet attendu : {"text": ..., "intent": ...}`)
	}
	return Example{Text: *v.Text, Intent: *v.Intent}, nil
}
