package dialog

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/relais/relais/dialog/slots"
	"github.com/relais/relais/intents"
)

// Settings is bot.yaml: the texts and options that are not tied to one intent.
type Settings struct {
	Welcome        []Message          `yaml:"welcome"`
	NotUnderstood  variants           `yaml:"not_understood"`
	OfferAgent     Message            `yaml:"offer_agent"`
	MaxMisses      int                `yaml:"max_misses"`
	OutOfScope     variants           `yaml:"out_of_scope"`
	Disambiguation string             `yaml:"disambiguation"`
	Resume         string             `yaml:"resume"`
	Cancelled      string             `yaml:"cancelled"`
	HandoffIntents []string           `yaml:"handoff_intents"`
	Webhooks       map[string]Webhook `yaml:"webhooks"`

	// The settings below are optional: defaultSettings fills what a bot.yaml leaves out.

	// MaxRetries is how many answers to the same question may fail before a human is offered.
	MaxRetries int `yaml:"max_retries"`
	// RetryHint is added to every new question after a failed answer: how to leave or get a human.
	RetryHint string `yaml:"retry_hint"`
	// RetriesExhausted is the offer of a human after MaxRetries failed answers.
	RetriesExhausted Message `yaml:"retries_exhausted"`
	// OfferAccepted is said when the customer accepts the offer of a human.
	OfferAccepted string `yaml:"offer_accepted"`
	// OfferDeclined is said when the customer declines it outside a flow.
	OfferDeclined Message `yaml:"offer_declined"`
	// Neutral answers a bare yes or no that answers no question.
	Neutral Message `yaml:"neutral"`
	// Thanks answers a « merci » that takes no leave, and asks whether there is anything else:
	// no ends the conversation as a goodbye would.
	Thanks Message `yaml:"thanks"`
	// Insult is the calm answer to abuse; it offers a human (its quick replies).
	Insult Message `yaml:"insult"`
	// OtherLanguages answer a message written in another language than French, by language
	// code (en, es, de, it, pt); each offers a human.
	OtherLanguages map[string]Message `yaml:"other_languages"`
	// AlsoAsked offers the second request of a message once the first is answered.
	AlsoAsked string `yaml:"also_asked"`
	// ClarifyDate asks which of two dates an ambiguous answer (« jeudi prochain ») means.
	ClarifyDate string `yaml:"clarify_date"`
	// DigressionConfidence is the classifier's confidence above which a reply that does not
	// answer the pending question is a new request rather than a failed answer.
	DigressionConfidence float64 `yaml:"digression_confidence"`
	// MaxRejected is the share of in-scope texts the designer accepts to see rejected when the
	// classifier's policy is calibrated on the bot's examples (relais nlu train); 0: 5 %.
	MaxRejected float64 `yaml:"max_rejected"`
	// TimeZone is where relative dates (« demain ») and date limits are read; default Europe/Paris.
	TimeZone string `yaml:"time_zone"`
	// OrderNumberPattern, a regular expression, replaces the default order number formats.
	OrderNumberPattern string `yaml:"order_number_pattern"`

	file string
	line int
}

// RejectTarget is MaxRejected checked: a share between 0 and 0.5, 0.05 when unset.
func (s *Settings) RejectTarget() (float64, error) {
	switch {
	case s.MaxRejected == 0:
		return 0.05, nil
	case s.MaxRejected < 0 || s.MaxRejected >= 0.5:
		return 0, fmt.Errorf("max_rejected : %v, une part entre 0 et 0.5 attendue (0.05 pour 5 %%)", s.MaxRejected)
	}
	return s.MaxRejected, nil
}

// Message is a text with optional quick replies.
type Message struct {
	Text         string   `yaml:"text"`
	QuickReplies []string `yaml:"quick_replies"`
}

// Webhook is a company backend the bot may call.
type Webhook struct {
	URL     string        `yaml:"url"`
	Timeout time.Duration `yaml:"timeout"`
}

// Entry is what the bot does for one intent: a simple answer or a flow of steps.
type Entry struct {
	Intent       string
	Say          variants
	QuickReplies []string
	Steps        []Step
	File         string
	Line         int
}

// Step is one step of a flow; exactly one of its kinds is set.
type Step struct {
	Say          variants     `yaml:"say"`
	QuickReplies []string     `yaml:"quick_replies"`
	Slot         string       `yaml:"slot"`
	Type         string       `yaml:"type"`
	Ask          string       `yaml:"ask"`
	Retry        string       `yaml:"retry"`
	Options      options      `yaml:"options"`
	Pattern      string       `yaml:"pattern"`
	Limits       slots.Limits `yaml:",inline"`
	Optional     bool         `yaml:"optional"`
	Confirm      string       `yaml:"confirm"`
	No           string       `yaml:"no"`
	Webhook      string       `yaml:"webhook"`
	Fallback     string       `yaml:"fallback"`
	Handoff      *HandoffStep `yaml:"handoff"`
	End          *string      `yaml:"end"`
	Line         int          `yaml:"-"`
}

// HandoffStep sends the conversation to the agent queue.
type HandoffStep struct {
	Priority string `yaml:"priority"`
	Summary  string `yaml:"summary"`
	Category string `yaml:"category"`
}

// kind names the step's kind, or "" when it has none.
func (s *Step) kind() string {
	var kinds []string
	for name, set := range map[string]bool{
		"say": len(s.Say) > 0, "slot": s.Slot != "", "confirm": s.Confirm != "",
		"webhook": s.Webhook != "", "handoff": s.Handoff != nil, "end": s.End != nil,
	} {
		if set {
			kinds = append(kinds, name)
		}
	}
	if len(kinds) != 1 {
		slices.Sort(kinds)
		return strings.Join(kinds, "+")
	}
	return kinds[0]
}

func (s *Step) slotSpec() slots.Spec {
	return slots.Spec{Type: s.Type, Options: s.Options.names(), Synonyms: s.Options.synonyms(), Pattern: s.Pattern, Limits: s.Limits}
}

// options are a choice slot's options, each a text or a mapping of the text to its synonyms:
// options: ["Réparation", {"Conseil ou souscription": [forfait, abonnement]}].
type options []option

type option struct {
	Name     string
	Synonyms []string
}

// UnmarshalYAML accepts each option as a text or as {text: [synonyms...]}.
func (o *options) UnmarshalYAML(n *yaml.Node) error {
	var items []yaml.Node
	if err := n.Decode(&items); err != nil {
		return err
	}
	for _, item := range items {
		if item.Kind == yaml.ScalarNode {
			*o = append(*o, option{Name: item.Value})
			continue
		}
		var m map[string][]string
		if err := item.Decode(&m); err != nil || len(m) != 1 {
			return fmt.Errorf("ligne %d : une option est un texte ou « texte: [synonymes] »", item.Line)
		}
		for name, syn := range m {
			*o = append(*o, option{Name: name, Synonyms: syn})
		}
	}
	return nil
}

func (o options) names() []string {
	var names []string
	for _, op := range o {
		names = append(names, op.Name)
	}
	return names
}

func (o options) synonyms() map[string][]string {
	var m map[string][]string
	for _, op := range o {
		if len(op.Synonyms) > 0 {
			if m == nil {
				m = map[string][]string{}
			}
			m[op.Name] = op.Synonyms
		}
	}
	return m
}

// variants is a text or a list of texts, one of which is said.
type variants []string

// UnmarshalYAML accepts a single text as well as a list.
func (v *variants) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*v = variants{n.Value}
		return nil
	}
	var list []string
	if err := n.Decode(&list); err != nil {
		return err
	}
	*v = list
	return nil
}

var stepKeys = map[string]bool{
	"say": true, "quick_replies": true, "slot": true, "type": true, "ask": true, "retry": true,
	"options": true, "pattern": true, "optional": true, "confirm": true, "no": true,
	"webhook": true, "fallback": true, "handoff": true, "end": true,
	"min": true, "max": true, "min_days": true, "max_days": true, "weekdays": true, "hours": true,
}

var entryKeys = map[string]bool{"say": true, "quick_replies": true, "steps": true}

// Files is a bot's dialog folder, parsed but not yet checked against the catalogue.
type Files struct {
	Settings Settings
	Entries  []Entry
	problems intents.Problems
}

// ReadFiles parses every *.yaml file at the root of fsys; dir prefixes file names in problems.
// bot.yaml holds the settings; the other files hold intent entries.
func ReadFiles(fsys fs.FS, dir string) (*Files, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	f := &Files{}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		file := path.Join(dir, name)
		var root yaml.Node
		if err := yaml.Unmarshal(data, &root); err != nil {
			f.problem(file, intents.YAMLErrorLine(err), "YAML invalide : %v", err)
			continue
		}
		if name == "bot.yaml" {
			f.readSettings(file, &root)
		} else {
			f.readEntries(file, &root)
		}
	}
	return f, nil
}

func (f *Files) problem(file string, line int, format string, args ...any) {
	f.problems = append(f.problems, intents.Problem{File: file, Line: line, Message: fmt.Sprintf(format, args...)})
}

func (f *Files) readSettings(file string, root *yaml.Node) {
	doc := document(root)
	if err := doc.Decode(&f.Settings); err != nil {
		f.problem(file, doc.Line, "bot.yaml invalide : %v", err)
	}
	f.Settings.file, f.Settings.line = file, doc.Line
}

func (f *Files) readEntries(file string, root *yaml.Node) {
	doc := document(root)
	intentsNode := mappingValue(doc, "intents")
	if intentsNode == nil || intentsNode.Kind != yaml.MappingNode {
		f.problem(file, doc.Line, "clé « intents: » attendue (une entrée par intention)")
		return
	}
	for i := 0; i+1 < len(intentsNode.Content); i += 2 {
		key, value := intentsNode.Content[i], intentsNode.Content[i+1]
		f.readEntry(file, key, value)
	}
}

func (f *Files) readEntry(file string, key, value *yaml.Node) {
	e := Entry{Intent: key.Value, File: file, Line: key.Line}
	if value.Kind != yaml.MappingNode {
		f.problem(file, key.Line, "%s : une entrée « say: » ou « steps: » attendue", e.Intent)
		return
	}
	f.unknownKeys(file, value, entryKeys, e.Intent)
	var raw struct {
		Say          variants    `yaml:"say"`
		QuickReplies []string    `yaml:"quick_replies"`
		Steps        []yaml.Node `yaml:"steps"`
	}
	if err := value.Decode(&raw); err != nil {
		f.problem(file, value.Line, "%s : %v", e.Intent, err)
		return
	}
	e.Say, e.QuickReplies = raw.Say, raw.QuickReplies
	for i := range raw.Steps {
		n := &raw.Steps[i]
		var s Step
		f.unknownKeys(file, n, stepKeys, e.Intent)
		if err := n.Decode(&s); err != nil {
			f.problem(file, n.Line, "%s : étape invalide : %v", e.Intent, err)
			continue
		}
		s.Line = n.Line
		e.Steps = append(e.Steps, s)
	}
	f.Entries = append(f.Entries, e)
}

func (f *Files) unknownKeys(file string, n *yaml.Node, allowed map[string]bool, intent string) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i < len(n.Content); i += 2 {
		if k := n.Content[i]; !allowed[k.Value] {
			f.problem(file, k.Line, "%s : clé inconnue « %s »", intent, k.Value)
		}
	}
}

func document(root *yaml.Node) *yaml.Node {
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		return root.Content[0]
	}
	return root
}

func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
