package intents

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed catalogue/*.yaml
var builtin embed.FS

// Catalogue is the bot's list of intents, read from one YAML file per category.
type Catalogue struct {
	Categories []Category
	Intents    []Intent // in file order
	byID       map[string]int
	byName     map[string]int
}

// Category groups intents; it is one YAML file.
type Category struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	File string `yaml:"-"`
}

// Intent is what a customer wants, with the examples the classifier learns it from.
type Intent struct {
	ID          string   `yaml:"id"`
	Name        string   `yaml:"name"`
	Description string   `yaml:"description"`
	Examples    []string `yaml:"examples"`
	Category    string   `yaml:"-"`
	File        string   `yaml:"-"`
	Line        int      `yaml:"-"`
}

// Problem is one mistake in a bot's files, located for the designer.
type Problem struct {
	File    string
	Line    int
	Message string
}

func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message) }

// Problems is the error of a catalogue that does not pass its checks.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// BuiltinFS is the built-in French catalogue: one YAML file per category.
func BuiltinFS() fs.FS {
	sub, err := fs.Sub(builtin, "catalogue")
	if err != nil {
		panic(err) // the embed pattern above guarantees the folder
	}
	return sub
}

// Builtin loads the built-in French catalogue.
func Builtin() (*Catalogue, error) { return Load(BuiltinFS(), "intents") }

// Load reads every *.yaml file at the root of fsys; dir only prefixes file names in problems.
func Load(fsys fs.FS, dir string) (*Catalogue, error) {
	files, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s : aucun fichier .yaml de catalogue", dir)
	}
	c := &Catalogue{}
	var problems Problems
	for _, name := range files {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		problems = append(problems, c.addFile(path.Join(dir, name), data)...)
	}
	problems = append(problems, c.index()...)
	if len(problems) > 0 {
		return nil, problems
	}
	return c, nil
}

type categoryFile struct {
	Category Category    `yaml:"category"`
	Intents  []yaml.Node `yaml:"intents"`
}

func (c *Catalogue) addFile(file string, data []byte) Problems {
	var cf categoryFile
	if err := yaml.Unmarshal(data, &cf); err != nil {
		return Problems{{File: file, Line: YAMLErrorLine(err), Message: "YAML invalide : " + err.Error()}}
	}
	var problems Problems
	if cf.Category.ID == "" || cf.Category.Name == "" {
		problems = append(problems, Problem{file, 1, "la catégorie doit avoir un id et un name"})
	}
	cf.Category.File = file
	c.Categories = append(c.Categories, cf.Category)
	for _, node := range cf.Intents {
		var in Intent
		if err := node.Decode(&in); err != nil {
			problems = append(problems, Problem{file, node.Line, "intention invalide : " + err.Error()})
			continue
		}
		in.Category, in.File, in.Line = cf.Category.ID, file, node.Line
		c.Intents = append(c.Intents, in)
	}
	return problems
}

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// index checks ids and names and builds the look-up tables.
func (c *Catalogue) index() Problems {
	var problems Problems
	c.byID, c.byName = map[string]int{}, map[string]int{}
	for i, in := range c.Intents {
		at := func(msg string, args ...any) {
			problems = append(problems, Problem{in.File, in.Line, fmt.Sprintf(msg, args...)})
		}
		switch {
		case !idPattern.MatchString(in.ID):
			at("id %q invalide : lettres minuscules ASCII, chiffres et _", in.ID)
		case in.Name == "":
			at("l'intention %s n'a pas de name", in.ID)
		}
		if j, dup := c.byID[in.ID]; dup {
			at("id %q déjà utilisé (%s:%d)", in.ID, c.Intents[j].File, c.Intents[j].Line)
		}
		if j, dup := c.byName[in.Name]; dup && in.Name != "" {
			at("nom %q déjà utilisé (%s:%d)", in.Name, c.Intents[j].File, c.Intents[j].Line)
		}
		c.byID[in.ID], c.byName[in.Name] = i, i
	}
	return problems
}

// Intent returns the intent with this id.
func (c *Catalogue) Intent(id string) (Intent, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Intent{}, false
	}
	return c.Intents[i], true
}

// Resolve returns the id of an intent given by id or by its exact French name.
func (c *Catalogue) Resolve(label string) (string, error) {
	if i, ok := c.byID[label]; ok {
		return c.Intents[i].ID, nil
	}
	if i, ok := c.byName[label]; ok {
		return c.Intents[i].ID, nil
	}
	return "", fmt.Errorf("intention inconnue %q (ni un id ni un nom du catalogue)", label)
}

// Examples returns every training example of the catalogue.
func (c *Catalogue) Examples() []Example {
	var out []Example
	for _, in := range c.Intents {
		for _, text := range in.Examples {
			out = append(out, Example{Text: text, Intent: in.ID})
		}
	}
	return out
}

// IDs returns the intent ids, sorted.
func (c *Catalogue) IDs() []string {
	ids := make([]string, len(c.Intents))
	for i, in := range c.Intents {
		ids[i] = in.ID
	}
	slices.Sort(ids)
	return ids
}

var yamlLinePattern = regexp.MustCompile(`line (\d+)`)

// YAMLErrorLine returns the line a YAML error points at, 1 when it names none; the dialog
// files report their problems with it too.
func YAMLErrorLine(err error) int {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := yamlLinePattern.FindStringSubmatch(msg); m != nil {
		var n int
		fmt.Sscan(m[1], &n)
		return n
	}
	return 1
}
