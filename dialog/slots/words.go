package slots

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
)

// keys returns the keys of a map of words.
func keys[V any](m map[string]V) []string {
	list := make([]string, 0, len(m))
	for k := range m {
		list = append(list, k)
	}
	return list
}

// longestFirst returns a sorted copy of list, the longest words first.
func longestFirst(list []string) []string {
	sorted := append([]string(nil), list...)
	sort.Slice(sorted, func(i, j int) bool {
		if len(sorted[i]) != len(sorted[j]) {
			return len(sorted[i]) > len(sorted[j])
		}
		return sorted[i] < sorted[j]
	})
	return sorted
}

// alternation makes a regexp alternative of words, the longest first.
func alternation(list []string) string {
	sorted := longestFirst(list)
	for i, w := range sorted {
		sorted[i] = regexp.QuoteMeta(w)
	}
	return strings.Join(sorted, "|")
}

// plain returns folded text with only letters and digits, single spaces between words.
func plain(s string) string {
	return strings.Join(words(s), " ")
}

// findText accepts any text with a letter or a digit, trimmed.
func findText(_ Spec, f folded, _ time.Time) (string, bool) {
	text := strings.TrimSpace(f.orig)
	return text, strings.IndexFunc(text, isAlnum) >= 0
}

// answers maps the French ways of saying yes or no, folded, to "oui" or "non". Longer phrases
// win over the words inside them ("pas d'accord" is no, "pas de souci" is yes, "non c'est bon"
// is a polite no).
var answers = map[string]string{
	"oui": "oui", "ouais": "oui", "ouai": "oui", "ouaip": "oui", "ouep": "oui", "wi": "oui",
	"ok": "oui", "okay": "oui", "okey": "oui", "oki": "oui", "okk": "oui", "oke": "oui",
	"d acc": "oui", "dacc": "oui", "d accord": "oui", "daccord": "oui", "c est d accord": "oui",
	"dac": "oui", "voila": "oui", "voila c est ca": "oui", "bien sur": "oui", "exact": "oui", "exactement": "oui", "c est ca": "oui",
	"cest ca": "oui", "yes": "oui", "yep": "oui", "yup": "oui", "tout a fait": "oui",
	"absolument": "oui", "volontiers": "oui", "certainement": "oui", "evidemment": "oui",
	"carrement": "oui", "affirmatif": "oui", "parfait": "oui", "pas de probleme": "oui",
	"pas de souci": "oui", "pas de soucis": "oui", "sans probleme": "oui", "no problem": "oui",
	"pourquoi pas": "oui", "je confirme": "oui", "ca marche": "oui", "entendu": "oui",
	"avec plaisir": "oui", "vas y": "oui", "allez y": "oui", "tres bien": "oui",
	"c est bon": "oui", "cest bon": "oui", "tout bon": "oui", "ca me va": "oui", "ca roule": "oui",
	"ca me convient": "oui", "ca convient": "oui", "go": "oui", "on y va": "oui", "allons y": "oui",
	"je veux bien": "oui", "bien entendu": "oui", "valide": "oui", "je valide": "oui",
	"confirme": "oui", "c est correct": "oui", "correct": "oui", "c est exact": "oui",
	"nickel": "oui", "impeccable": "oui", "super": "oui", "top": "oui", "parfaitement": "oui",
	"c est parfait": "oui", "banco": "oui",
	"non": "non", "nan": "non", "nope": "non", "no": "non", "niet": "non", "pas du tout": "non",
	"surtout pas": "non", "absolument pas": "non", "certainement pas": "non", "pas d accord": "non",
	"pas ok": "non", "pas vraiment": "non", "jamais": "non", "negatif": "non", "pas question": "non",
	"hors de question": "non", "c est pas ca": "non", "ce n est pas ca": "non", "pas exact": "non",
	"pas exactement": "non", "inexact": "non", "faux": "non", "c est faux": "non",
	"pas maintenant": "non", "plus tard": "non", "non c est bon": "non", "non cest bon": "non",
	"non ca va": "non", "non ca ira": "non", "c est pas bon": "non", "cest pas bon": "non",
	"pas bon": "non", "ce n est pas bon": "non", "ce n est pas correct": "non",
	"c est pas correct": "non", "pas correct": "non", "incorrect": "non", "erreur": "non",
	"je me suis trompe": "non", "je me suis trompee": "non", "pas la peine": "non",
	"pas besoin": "non", "ca ne va pas": "non", "ca va pas": "non", "ca me va pas": "non",
	"ca ne me va pas": "non", "ca ne me convient pas": "non", "ca me convient pas": "non",
	"je ne veux pas": "non", "je veux pas": "non", "je ne valide pas": "non", "je valide pas": "non",
	"pas valide": "non", "invalide": "non", "non valide": "non", "ca marche pas": "non",
	"ca ne marche pas": "non", "pas top": "non", "pas super": "non", "pas parfait": "non",
	"pas terrible": "non", "je ne confirme pas": "non", "je confirme pas": "non",
	"pas confirme": "non",
}

// aloneAnswers are the words that only answer when they are the whole message ("si possible").
var aloneAnswers = map[string]string{"si": "oui"}

// answerPhrases are the keys of answers, the longest first.
var answerPhrases = longestFirst(keys(answers))

// repeatRe finds a letter typed three times or more ("ouiii", "nooon").
var repeatRe = regexp.MustCompile(`(a{3,}|e{3,}|i{3,}|o{3,}|u{3,}|n{3,}|k{3,}|s{3,})`)

// YesNo returns "oui" or "non" when text answers a yes/no question, like Find with type yes_no.
func YesNo(text string) (string, bool) {
	return Find(Spec{Type: "yes_no"}, text, time.Time{})
}

// findYesNo accepts a yes or a no; a message that says both is not an answer.
func findYesNo(_ Spec, f folded, _ time.Time) (string, bool) {
	text := answerText(f.s)
	if v, ok := aloneAnswers[text]; ok {
		return v, true
	}
	text = " " + text + " "
	said := map[string]bool{}
	for _, phrase := range candidatePhrases(text) {
		if strings.Contains(text, " "+phrase+" ") {
			said[answers[phrase]] = true
			text = strings.ReplaceAll(text, " "+phrase+" ", " | ")
		}
	}
	if len(said) != 1 {
		return "", false
	}
	for v := range said {
		return v, true
	}
	return "", false
}

// phrasesByWord lists, for each word, the answer phrases that start with it, as indices in
// answerPhrases: a message is only compared with the phrases its words can start.
var phrasesByWord = func() map[string][]int {
	m := map[string][]int{}
	for i, p := range answerPhrases {
		first, _, _ := strings.Cut(p, " ")
		m[first] = append(m[first], i)
	}
	return m
}()

// candidatePhrases returns the answer phrases that may be in text, longest first like
// answerPhrases.
func candidatePhrases(text string) []string {
	var at []int
	for _, w := range strings.Fields(text) {
		at = append(at, phrasesByWord[w]...)
	}
	slices.Sort(at)
	at = slices.Compact(at)
	out := make([]string, len(at))
	for i, k := range at {
		out[i] = answerPhrases[k]
	}
	return out
}

// answerText prepares a folded message for the answers: plain words, letters typed three
// times or more kept once ("ouiii").
func answerText(s string) string {
	text := plain(strings.ReplaceAll(s, "'", " "))
	if !hasRun(text) {
		return text
	}
	return repeatRe.ReplaceAllStringFunc(text, func(run string) string { return run[:1] })
}

// hasRun tells whether a letter is typed three times in a row, before any regexp work.
func hasRun(s string) bool {
	for i := 2; i < len(s); i++ {
		if s[i] == s[i-1] && s[i] == s[i-2] {
			return true
		}
	}
	return false
}

// IsShortAnswer tells whether text is shaped like an answer to a question rather than a new
// request: at most 3 words, or digits in at most 5 words, or an '@', or a yes or a no first
// ("non, plutôt mardi"). The engine counts such a reply that does not validate as a failed answer.
func IsShortAnswer(text string) bool {
	s := foldString(text)
	if strings.Contains(s, "@") {
		return true
	}
	n, digits := 0, false
	for _, w := range strings.Fields(s) {
		if strings.IndexFunc(w, isAlnum) >= 0 {
			n++
		}
		digits = digits || strings.IndexFunc(w, isDigit) >= 0
	}
	switch {
	case n == 0:
		return false
	case n <= 3 || digits && n <= 5:
		return true
	}
	return startsWithAnswer(answerText(s))
}

// startsWithAnswer tells whether the prepared text starts with a yes or no phrase.
func startsWithAnswer(text string) bool {
	first, _, _ := strings.Cut(text, " ")
	for _, k := range phrasesByWord[first] {
		phrase := answerPhrases[k]
		if strings.HasPrefix(text+" ", phrase+" ") {
			return true
		}
	}
	return false
}

// findChoice accepts one of the options: the whole text, a position ("la deuxième"), a synonym
// of the designer, an option inside the text (the longest when one contains another), or the
// only option sharing words with the text.
func findChoice(spec Spec, f folded, _ time.Time) (string, bool) {
	text := plain(f.s)
	if text == "" {
		return "", false
	}
	if o, ok := optionNamed(spec.Options, text); ok {
		return o, true
	}
	if o, ok := positionalOption(spec.Options, f.s); ok {
		return o, true
	}
	byWords, wordsOK := wordsOption(spec.Options, text)
	switch bySynonym := synonymOptions(spec, text); {
	case len(bySynonym) == 1:
		return bySynonym[0], true
	case len(bySynonym) > 1:
		// Synonyms of several options: only an option also named otherwise settles it.
		return byWords, wordsOK && slices.Contains(bySynonym, byWords)
	}
	return byWords, wordsOK
}

// optionNamed returns the option that text (folded or not) is, accents and case ignored.
func optionNamed(options []string, text string) (string, bool) {
	key := plain(foldString(text))
	for _, o := range options {
		if plain(foldString(o)) == key {
			return o, true
		}
	}
	return "", false
}

// wordsOption returns the option found inside text, else the only one sharing words with it.
func wordsOption(options []string, text string) (string, bool) {
	if o, ok := containedOption(options, text); ok {
		return o, true
	}
	return sharedWordsOption(options, text)
}

// containedOption returns the option found in text, when only one is (not counting the options
// inside a longer one found there too).
func containedOption(options []string, text string) (string, bool) {
	var found []string
	for _, o := range options {
		p := plain(foldString(o))
		if p != "" && strings.Contains(" "+text+" ", " "+p+" ") {
			found = append(found, o)
		}
	}
	var kept []string
	for _, o := range found {
		if !insideAnother(o, found) {
			kept = append(kept, o)
		}
	}
	if len(kept) != 1 {
		return "", false
	}
	return kept[0], true
}

// insideAnother tells whether option o is part of another of the options.
func insideAnother(o string, options []string) bool {
	p := " " + plain(foldString(o)) + " "
	for _, other := range options {
		q := " " + plain(foldString(other)) + " "
		if q != p && strings.Contains(q, p) {
			return true
		}
	}
	return false
}

// stopWords are the words too common to tell options apart.
var stopWords = wordSet("le la les l un une des de du d au aux a et ou en pour par sur avec dans mon ma mes " +
	"ton ta tes son sa ses je j veux voudrais changer modifier pas ne c est ce cette the")

// sharedWordsOption returns the only option sharing the most meaningful words with text.
func sharedWordsOption(options []string, text string) (string, bool) {
	said := map[string]bool{}
	for _, w := range strings.Fields(text) {
		if len(w) >= 3 && !stopWords[w] {
			said[stem(w)] = true
		}
	}
	best, bestScore, tie := "", 0, false
	for _, o := range options {
		score := 0
		for _, w := range words(foldString(o)) {
			if said[stem(w)] && !stopWords[w] {
				score++
			}
		}
		switch {
		case score > bestScore:
			best, bestScore, tie = o, score, false
		case score == bestScore && score > 0:
			tie = true
		}
	}
	return best, bestScore > 0 && !tie
}

// stem drops a plural ending.
func stem(w string) string {
	if len(w) > 3 && (strings.HasSuffix(w, "s") || strings.HasSuffix(w, "x")) {
		return w[:len(w)-1]
	}
	return w
}

// findPattern returns the first non-empty match of the spec's regexp.
func findPattern(spec Spec, f folded, _ time.Time) (string, bool) {
	re, err := compile(spec.Pattern)
	if err != nil || spec.Pattern == "" {
		return "", false
	}
	text := strings.TrimSpace(f.orig)
	for _, m := range re.FindAllString(text, -1) {
		if strings.TrimFunc(m, unicode.IsSpace) != "" {
			return m, true
		}
	}
	return "", false
}
