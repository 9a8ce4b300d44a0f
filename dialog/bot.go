package dialog

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"
	"text/template/parse"
	"time"

	"github.com/relais/relais/dialog/slots"
	"github.com/relais/relais/intents"
)

//go:embed bot
var builtin embed.FS

// Bot is a checked bot: its catalogue and its dialog files, ready for the engine.
type Bot struct {
	Catalogue *intents.Catalogue
	Settings  Settings
	Entries   map[string]*Entry // by intent id
	handoff   map[string]bool
	templates map[string]*template.Template // every text with {{...}}, parsed once at load
	loc       *time.Location                // the bot's time zone (bot.yaml time_zone)
	// Dir is the designer's bot folder, "" for the built-in bot.
	Dir string
}

// BuiltinDialogFS is the built-in bot's dialog folder.
func BuiltinDialogFS() fs.FS { return sub(builtin, "bot/dialog") }

// BuiltinTestsFS is the built-in bot's conversation tests folder.
func BuiltinTestsFS() fs.FS { return sub(builtin, "bot/tests") }

func sub(fsys fs.FS, dir string) fs.FS {
	s, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // the embed patterns guarantee the folders
	}
	return s
}

// LoadBot loads and checks a bot folder, or the built-in bot when dir is "". The error lists
// every problem as file:line: message.
func LoadBot(dir string) (*Bot, error) {
	var cat *intents.Catalogue
	var files *Files
	var err error
	if dir == "" {
		if cat, err = intents.Builtin(); err == nil {
			files, err = ReadFiles(BuiltinDialogFS(), "dialog")
		}
	} else {
		if cat, err = intents.OpenCatalogue(dir); err == nil {
			d := filepath.Join(dir, "dialog")
			files, err = ReadFiles(os.DirFS(d), d)
		}
	}
	if err != nil {
		return nil, err
	}
	bot, problems := Compile(cat, files)
	if len(problems) > 0 {
		return nil, problems
	}
	bot.Dir = dir
	return bot, nil
}

// Compile checks the dialog files against the catalogue and prepares them for the engine.
func Compile(cat *intents.Catalogue, files *Files) (*Bot, intents.Problems) {
	c := compiler{bot: &Bot{Catalogue: cat, Settings: files.Settings, Entries: map[string]*Entry{}, handoff: map[string]bool{},
		templates: map[string]*template.Template{}}}
	c.problems = append(c.problems, files.problems...)
	c.settings()
	for i := range files.Entries {
		c.entry(&files.Entries[i])
	}
	for _, in := range cat.Intents {
		if c.bot.Entries[in.ID] == nil {
			c.at(in.File, in.Line, "l'intention %s (%s) n'a pas de réponse dans dialog/", in.ID, in.Name)
		}
	}
	c.duplicateExamples()
	return c.bot, c.problems
}

type compiler struct {
	bot      *Bot
	problems intents.Problems
}

func (c *compiler) at(file string, line int, format string, args ...any) {
	c.problems = append(c.problems, intents.Problem{File: file, Line: line, Message: fmt.Sprintf(format, args...)})
}

func (c *compiler) settings() {
	s := &c.bot.Settings
	if s.file == "" {
		c.at("dialog/bot.yaml", 1, "bot.yaml manque (accueil, incompréhension, ...)")
		return
	}
	required := map[string]bool{
		"welcome": len(s.Welcome) > 0, "not_understood": len(s.NotUnderstood) > 0,
		"offer_agent": s.OfferAgent.Text != "", "out_of_scope": len(s.OutOfScope) > 0,
		"disambiguation": s.Disambiguation != "", "resume": s.Resume != "", "cancelled": s.Cancelled != "",
	}
	for _, key := range []string{"welcome", "not_understood", "offer_agent", "out_of_scope", "disambiguation", "resume", "cancelled"} {
		if !required[key] {
			c.at(s.file, s.line, "bot.yaml : « %s » manque", key)
		}
	}
	s.defaults()
	if _, err := time.LoadLocation(s.TimeZone); err != nil {
		c.at(s.file, s.line, "bot.yaml : time_zone : fuseau horaire inconnu %q (par exemple Europe/Paris)", s.TimeZone)
	}
	c.bot.loc = s.location()
	if _, err := s.RejectTarget(); err != nil {
		c.at(s.file, s.line, "bot.yaml : %v", err)
	}
	if s.OrderNumberPattern != "" {
		if err := slots.Check(slots.Spec{Type: "order_number", Pattern: s.OrderNumberPattern}); err != nil {
			c.at(s.file, s.line, "bot.yaml : order_number_pattern : %v", err)
		}
	}
	for key, text := range map[string]string{"disambiguation": s.Disambiguation, "also_asked": s.AlsoAsked, "clarify_date": s.ClarifyDate} {
		if t, err := parseTemplate(text); err != nil {
			c.at(s.file, s.line, "bot.yaml : %s : %v", key, err)
		} else {
			c.bot.templates[text] = t
		}
	}
	for _, id := range s.HandoffIntents {
		if _, ok := c.bot.Catalogue.Intent(id); !ok {
			c.at(s.file, s.line, "bot.yaml : handoff_intents : intention inconnue %q", id)
		}
		c.bot.handoff[id] = true
	}
	for name, w := range s.Webhooks {
		if w.URL == "" {
			c.at(s.file, s.line, "bot.yaml : le webhook %s n'a pas d'url", name)
		}
	}
}

func (c *compiler) entry(e *Entry) {
	if _, ok := c.bot.Catalogue.Intent(e.Intent); !ok {
		c.at(e.File, e.Line, "intention inconnue %q (absente du catalogue)", e.Intent)
		return
	}
	if prev := c.bot.Entries[e.Intent]; prev != nil {
		c.at(e.File, e.Line, "%s a déjà une entrée (%s:%d) : une seule par intention", e.Intent, prev.File, prev.Line)
		return
	}
	c.bot.Entries[e.Intent] = e
	switch {
	case len(e.Say) > 0 && len(e.Steps) > 0:
		c.at(e.File, e.Line, "%s : « say » ou « steps », pas les deux", e.Intent)
	case len(e.Say) > 0:
		// A simple answer is a one-step flow; the engine runs both the same way.
		e.Steps = []Step{{Say: e.Say, QuickReplies: e.QuickReplies, Line: e.Line}}
	case len(e.Steps) == 0:
		c.at(e.File, e.Line, "%s : ni « say » ni « steps »", e.Intent)
	}
	c.steps(e)
}

// steps checks a flow: each step's kind and fields, its templates (which may only name slots
// asked earlier), and steps that can never run.
func (c *compiler) steps(e *Entry) {
	known := map[string]bool{}
	for i := range e.Steps {
		s := &e.Steps[i]
		at := func(format string, args ...any) { c.at(e.File, s.Line, e.Intent+" : "+format, args...) }
		if i > 0 && e.Steps[i-1].End != nil {
			at("étape inaccessible : elle suit une étape « end »")
		}
		switch k := s.kind(); k {
		case "say":
		case "slot":
			c.slotStep(s, at)
		case "confirm":
			if s.No == "" {
				at("confirm : le texte « no » (réponse si le client refuse) manque")
			}
		case "webhook":
			if _, ok := c.bot.Settings.Webhooks[s.Webhook]; !ok {
				at("webhook %q non défini dans bot.yaml", s.Webhook)
			}
			if s.Fallback == "" {
				at("webhook : le texte « fallback » (si le service ne répond pas) manque")
			}
		case "handoff":
			if p := s.Handoff.Priority; p != "" && p != "normal" && p != "high" {
				at("handoff : priority %q invalide (normal ou high)", p)
			}
		case "end":
		case "":
			at("étape vide : say, slot, confirm, webhook, handoff ou end attendu")
		default:
			at("une étape ne fait qu'une chose, pas %s", k)
		}
		if s.Slot == "" && !s.Limits.Empty() {
			at("les limites (min, max, min_days, max_days, weekdays, hours) ne servent qu'aux étapes « slot »")
		}
		c.templates(s, known, at)
		if s.Slot != "" {
			known[s.Slot] = true
		}
		if s.Webhook != "" {
			known["webhook"] = true
		}
	}
}

func (c *compiler) slotStep(s *Step, at func(string, ...any)) {
	if !regexp.MustCompile(`^[a-z][a-z0-9_]*$`).MatchString(s.Slot) {
		at("nom de slot %q invalide (minuscules, chiffres, _)", s.Slot)
	}
	if s.Type == "" {
		s.Type = "text"
	}
	if s.Type == "order_number" && s.Pattern == "" {
		s.Pattern = c.bot.Settings.OrderNumberPattern
	}
	if err := slots.Check(s.slotSpec()); err != nil {
		at("slot %s : %v", s.Slot, err)
	}
	if s.Ask == "" {
		at("slot %s : la question « ask » manque", s.Slot)
	}
}

// templates parses the step's texts and checks the variables they name.
func (c *compiler) templates(s *Step, known map[string]bool, at func(string, ...any)) {
	texts := append([]string{s.Ask, s.Retry, s.Confirm, s.No, s.Fallback}, s.Say...)
	if s.End != nil {
		texts = append(texts, *s.End)
	}
	if s.Handoff != nil {
		texts = append(texts, s.Handoff.Summary)
	}
	for _, text := range texts {
		if text == "" {
			continue
		}
		t, err := parseTemplate(text)
		if err != nil {
			at("modèle invalide %q : %v", text, err)
			continue
		}
		c.bot.templates[text] = t
		for _, name := range fieldNames(t) {
			if !known[name] {
				at("le modèle nomme {{.%s}}, qui n'est pas un slot demandé plus tôt dans le flux", name)
			}
		}
	}
}

// duplicateExamples reports training examples given to two intents.
func (c *compiler) duplicateExamples() {
	owner := map[string]intents.Intent{}
	for _, in := range c.bot.Catalogue.Intents {
		for _, ex := range in.Examples {
			key := strings.ToLower(strings.Join(intents.Normalize(ex), " "))
			if prev, dup := owner[key]; dup && prev.ID != in.ID {
				c.at(in.File, in.Line, "l'exemple %q est aussi dans %s (%s:%d)", ex, prev.ID, prev.File, prev.Line)
			}
			owner[key] = in
		}
	}
}

func parseTemplate(text string) (*template.Template, error) {
	return template.New("").Funcs(templateFuncs).Option("missingkey=zero").Parse(text)
}

// fieldNames returns the first names of the {{.name...}} fields a template reads.
func fieldNames(t *template.Template) []string {
	var names []string
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			for _, cmd := range n.Cmds {
				for _, arg := range cmd.Args {
					walk(arg)
				}
			}
		case *parse.FieldNode:
			names = append(names, n.Ident[0])
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		}
	}
	if t.Tree != nil {
		walk(t.Tree.Root)
	}
	return names
}
