package intents_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/relais/relais/intents"
)

// seedIntent is one intent as the product's source document lists it.
type seedIntent struct{ category, name, description string }

// readSeed parses testdata/capabilities_list_general_fr.md, the catalogue the product comes from.
func readSeed(t *testing.T) []seedIntent {
	t.Helper()
	data, err := os.ReadFile("testdata/capabilities_list_general_fr.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	nameLine := regexp.MustCompile(`^- \*\*\*\*(.*)\*\*\*\*$`)
	var out []seedIntent
	category := ""
	for i := 0; i < len(lines); i++ {
		if c, ok := strings.CutPrefix(lines[i], "### "); ok {
			category = c
		}
		m := nameLine.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		j := i + 1
		for strings.TrimSpace(lines[j]) == "" {
			j++
		}
		out = append(out, seedIntent{category, m[1], strings.TrimSpace(lines[j])})
		i = j
	}
	return out
}

func builtin(t testing.TB) *intents.Catalogue {
	t.Helper()
	cat, err := intents.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func TestBuiltinMatchesSeed(t *testing.T) {
	seed := readSeed(t)
	cat := builtin(t)
	if len(seed) != 76 {
		t.Fatalf("seed: got %d intents, want 76", len(seed))
	}
	if len(cat.Intents) != len(seed) {
		t.Fatalf("catalogue: got %d intents, want %d", len(cat.Intents), len(seed))
	}
	categories := map[string]string{}
	for _, c := range cat.Categories {
		categories[c.ID] = c.Name
	}
	if len(categories) != 9 {
		t.Errorf("got %d categories, want 9", len(categories))
	}
	byName := map[string]intents.Intent{}
	for _, in := range cat.Intents {
		byName[in.Name] = in
	}
	for _, s := range seed {
		in, ok := byName[s.name]
		if !ok {
			t.Errorf("seed intent %q missing from the catalogue (byte for byte)", s.name)
			continue
		}
		if in.Description != s.description {
			t.Errorf("%s: description\n got %q\nwant %q", in.ID, in.Description, s.description)
		}
		if categories[in.Category] != s.category {
			t.Errorf("%s: category got %q, want %q", in.ID, categories[in.Category], s.category)
		}
	}
}

func TestBuiltinExamples(t *testing.T) {
	cat := builtin(t)
	owner := map[string]string{}
	for _, in := range cat.Intents {
		distinct := map[string]bool{}
		for _, ex := range in.Examples {
			key := strings.ToLower(strings.TrimSpace(ex))
			distinct[key] = true
			if prev, dup := owner[key]; dup && prev != in.ID {
				t.Errorf("example %q is in both %s and %s", ex, prev, in.ID)
			}
			owner[key] = in.ID
		}
		want := 30
		if in.ID == intents.OutOfScopeIntentID {
			want = 80
		}
		if len(distinct) < want {
			t.Errorf("%s: got %d distinct examples, want at least %d", in.ID, len(distinct), want)
		}
	}
}

func TestDevSetIsHeldOut(t *testing.T) {
	cat := builtin(t)
	dev, err := intents.ReadSource("testdata/dev.tsv", cat)
	if err != nil {
		t.Fatal(err)
	}
	training := map[string]bool{}
	for _, ex := range cat.Examples() {
		training[strings.ToLower(strings.TrimSpace(ex.Text))] = true
	}
	perIntent := map[string]int{}
	for _, ex := range dev {
		perIntent[ex.Intent]++
		if training[strings.ToLower(strings.TrimSpace(ex.Text))] {
			t.Errorf("dev text %q is also a training example", ex.Text)
		}
	}
	for _, id := range cat.IDs() {
		if perIntent[id] < 8 {
			t.Errorf("%s: got %d dev examples, want at least 8", id, perIntent[id])
		}
	}
}

func TestResolve(t *testing.T) {
	cat := builtin(t)
	tests := []struct {
		name, label, want string
		wantErr           bool
	}{
		{name: "id", label: "statut_commande", want: "statut_commande"},
		{name: "French name", label: "Statut de la commande", want: "statut_commande"},
		{name: "name with apostrophe", label: "Mettre à jour l'adresse", want: "mettre_a_jour_adresse"},
		{name: "out of scope by name", label: "Aucun", want: "aucun"},
		{name: "unknown", label: "statut commande", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cat.Resolve(tt.label)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("Resolve(%q) = %q, %v; want %q, error %v", tt.label, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestLoadReportsProblems(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{name: "bad YAML", yaml: "category: [", want: "bad.yaml:1: YAML invalide"},
		{name: "bad id", yaml: "category: {id: c, name: C}\nintents:\n  - id: Mauvais-Id\n    name: X\n", want: `bad.yaml:3: id "Mauvais-Id" invalide`},
		{name: "duplicate id", yaml: "category: {id: c, name: C}\nintents:\n  - id: a\n    name: A\n  - id: a\n    name: B\n", want: `bad.yaml:5: id "a" déjà utilisé (bad.yaml:3)`},
		{name: "missing category", yaml: "intents:\n  - id: a\n    name: A\n", want: "bad.yaml:1: la catégorie doit avoir un id et un name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(dir+"/bad.yaml", []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := intents.Load(os.DirFS(dir), "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}
