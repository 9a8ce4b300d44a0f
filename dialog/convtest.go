package dialog

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/relais/relais/intents"
)

// ConvTest is one conversation test: what the customer says and what the bot must do.
type ConvTest struct {
	Name     string                    `yaml:"name"`
	Webhooks map[string]map[string]any `yaml:"webhooks"`
	// Now fixes the clock of the test (RFC 3339, « 2026-12-02T10:00:00+01:00 »): relative
	// dates and date limits then give the same result every day.
	Now   string     `yaml:"now"`
	Steps []TestStep `yaml:"steps"`
	File  string     `yaml:"-"`
	Line  int        `yaml:"-"`
}

// TestStep is one customer message and the checks on the bot's turn.
type TestStep struct {
	Customer         string            `yaml:"customer"`
	Intent           string            `yaml:"intent"`
	ReplyContains    variants          `yaml:"reply_contains"`
	ReplyNotContains variants          `yaml:"reply_not_contains"`
	Slots            map[string]string `yaml:"slots"`
	Handoff          *bool             `yaml:"handoff"`
	End              *bool             `yaml:"end"`
	QuickReplies     []string          `yaml:"quick_replies"`
}

// TestResult is the outcome of one conversation test.
type TestResult struct {
	Test     *ConvTest
	Failures []string // empty when the test passed
}

// ReadTests parses the conversation tests of every *.yaml file at the root of fsys.
func ReadTests(fsys fs.FS, dir string) ([]ConvTest, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	var tests []ConvTest
	var problems intents.Problems
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		file := path.Join(dir, name)
		var doc struct {
			Tests []yaml.Node `yaml:"tests"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			problems = append(problems, intents.Problem{File: file, Line: intents.YAMLErrorLine(err), Message: "YAML invalide : " + err.Error()})
			continue
		}
		for _, n := range doc.Tests {
			var ct ConvTest
			if err := n.Decode(&ct); err != nil {
				problems = append(problems, intents.Problem{File: file, Line: n.Line, Message: "test invalide : " + err.Error()})
				continue
			}
			ct.File, ct.Line = file, n.Line
			if _, err := ct.clock(); err != nil {
				problems = append(problems, intents.Problem{File: file, Line: n.Line, Message: "now : " + err.Error()})
				continue
			}
			tests = append(tests, ct)
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return tests, nil
}

// RunTests runs each test in a fresh conversation against the real engine, with the test's
// canned webhook answers.
func RunTests(ctx context.Context, bot *Bot, c Classifier, tests []ConvTest) []TestResult {
	results := make([]TestResult, len(tests))
	for i := range tests {
		results[i] = runTest(ctx, bot, c, &tests[i])
	}
	return results
}

func runTest(ctx context.Context, bot *Bot, c Classifier, ct *ConvTest) TestResult {
	r := TestResult{Test: ct}
	now, _ := ct.clock()
	e := NewEngine(bot, c, NewMemorySessions(), Options{Caller: CannedCaller(ct.Webhooks), Now: now})
	id := "test:" + ct.Name
	if _, err := e.Start(ctx, id); err != nil {
		r.Failures = append(r.Failures, err.Error())
		return r
	}
	for i, st := range ct.Steps {
		turn, err := e.Handle(ctx, id, st.Customer)
		if err != nil {
			r.Failures = append(r.Failures, fmt.Sprintf("étape %d : %v", i+1, err))
			return r
		}
		s, _ := e.Session(ctx, id)
		for _, f := range st.check(turn, s) {
			r.Failures = append(r.Failures, fmt.Sprintf("étape %d (« %s ») : %s", i+1, st.Customer, f))
		}
	}
	return r
}

// clock returns the test's fixed clock, nil for the real one.
func (ct *ConvTest) clock() (func() time.Time, error) {
	if ct.Now == "" {
		return nil, nil
	}
	at, err := time.Parse(time.RFC3339, ct.Now)
	if err != nil {
		return nil, fmt.Errorf("date et heure RFC 3339 attendues (2026-12-02T10:00:00+01:00) : %v", err)
	}
	return func() time.Time { return at }, nil
}

// check returns what the turn got wrong.
func (st *TestStep) check(t Turn, s *Session) []string {
	var fails []string
	said := replyText(t)
	if st.Intent != "" && t.Intent != st.Intent {
		fails = append(fails, fmt.Sprintf("intention %q, attendue %q", t.Intent, st.Intent))
	}
	for _, want := range st.ReplyContains {
		if !strings.Contains(fold(said), fold(want)) {
			fails = append(fails, fmt.Sprintf("la réponse ne contient pas %q : %q", want, said))
		}
	}
	for _, bad := range st.ReplyNotContains {
		if strings.Contains(fold(said), fold(bad)) {
			fails = append(fails, fmt.Sprintf("la réponse contient %q : %q", bad, said))
		}
	}
	for name, want := range st.Slots {
		if got := s.Slots[name]; got != want {
			fails = append(fails, fmt.Sprintf("slot %s = %q, attendu %q", name, got, want))
		}
	}
	if st.Handoff != nil && (t.Handoff != nil) != *st.Handoff {
		fails = append(fails, fmt.Sprintf("transfert à un conseiller : %v, attendu %v", t.Handoff != nil, *st.Handoff))
	}
	if st.End != nil && t.End != *st.End {
		fails = append(fails, fmt.Sprintf("fin de conversation : %v, attendue %v", t.End, *st.End))
	}
	offered := quickReplies(t)
	for _, q := range st.QuickReplies {
		if !slices.ContainsFunc(offered, func(o string) bool { return fold(o) == fold(q) }) {
			fails = append(fails, fmt.Sprintf("bouton %q absent (proposés : %q)", q, offered))
		}
	}
	return fails
}

func replyText(t Turn) string {
	texts := make([]string, len(t.Replies))
	for i, r := range t.Replies {
		texts[i] = r.Text
	}
	return strings.Join(texts, " / ")
}

func quickReplies(t Turn) []string {
	var all []string
	for _, r := range t.Replies {
		all = append(all, r.QuickReplies...)
	}
	return all
}
