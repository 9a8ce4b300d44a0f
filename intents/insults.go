package intents

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// StripInsults finds French insults and abuse aimed at the bot or the company (« connard »,
// « bot de merde », « vous êtes nuls », « ta gueule », « fdp »…, in SMS spelling or without
// accents) and returns the text without them, whitespace and stray commas tidied, so that the
// caller can tell whether a real request remains: « putain ma commande n'est toujours pas
// arrivée » gives « ma commande n'est toujours pas arrivée », true; « ta gueule » gives "", true.
//
// Words match whole after folding, never inside another word (« conseiller », « contrat »).
// Complaints about a thing are not insults: « c'est nul que ma box ne marche pas », « le réseau
// est nul », « ma connexion est nulle », « c'est con » keep their text and give false; « nul »,
// « minable », « escroc » or « voleur » are insults only when aimed at someone (« vous êtes
// nuls », « t'es nul », « bot nul », « service nul », « espèce d'escroc ») or alone in their
// clause (« Nuls ! »). « con » is not an insult in a Spanish or Italian message (« con
// tarjeta »), nor « fdp » when it means « frais de port » (« les fdp sont offerts ? »).
func StripInsults(text string) (rest string, insulted bool) {
	toks := insultTokens(text)
	if !mayInsult(toks) {
		return text, false
	}
	line, at := foldedLine(toks)
	remove := make([]bool, len(toks))
	for _, re := range insultRules {
		markMatches(re, line, at, remove)
	}
	unmarkExceptions(toks, remove, text)
	for _, r := range remove {
		insulted = insulted || r
	}
	if !insulted {
		return text, false
	}
	return tidy(cutTokens(text, toks, remove)), true
}

// insultStems start every word the rules below can begin a match with: a text without any is
// no insult, and costs no regular expression (most customer messages).
var insultStems = []string{"con", "kon", "debil", "cretin", "abruti", "idiot", "imbecil", "enfoir",
	"salau", "salop", "bouffon", "merd", "put", "ptn", "ptain", "fdp", "ntm", "encul", "batard",
	"tocard", "incompet", "escroc", "voleu", "arnaqu", "tg", "ftg", "nul", "minabl", "naze",
	"incapabl", "gueul", "geul", "faire", "chier", "niqu", "cul", "ferm", "pourri"}

func mayInsult(toks []insultToken) bool {
	for _, t := range toks {
		for _, stem := range insultStems {
			if strings.HasPrefix(t.word, stem) {
				return true
			}
		}
	}
	return false
}

// insultToken is one word of the text: its bytes in the original and its folded form.
type insultToken struct {
	start, end int
	word       string
	boundary   bool // a clause ends after it: , . ; : ! ? … or a line break
}

// insultTokens splits text into letter and digit runs, folded like Normalize folds words.
func insultTokens(text string) []insultToken {
	var toks []insultToken
	var b strings.Builder
	start := -1
	flush := func(end int) {
		if start >= 0 {
			toks = append(toks, insultToken{start: start, end: end, word: collapseRepeats(b.String())})
		}
		b.Reset()
		start = -1
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if f := fold(r); f != "" || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			b.WriteString(f)
			if f == "" {
				b.WriteRune(r)
			}
		} else {
			flush(i)
			if strings.ContainsRune(",.;:!?…\n", r) && len(toks) > 0 {
				toks[len(toks)-1].boundary = true
			}
		}
		i += size
	}
	flush(len(text))
	return toks
}

// foldedLine joins the folded words with spaces, a "|" after each clause, so that the rules
// are plain regular expressions; at maps a byte of the line to its token (-1 for separators).
func foldedLine(toks []insultToken) (string, []int) {
	var b strings.Builder
	var at []int
	for i, t := range toks {
		b.WriteByte(' ')
		at = append(at, -1)
		b.WriteString(t.word)
		for range len(t.word) {
			at = append(at, i)
		}
		if t.boundary {
			b.WriteString(" |")
			at = append(at, -1, -1)
		}
	}
	b.WriteByte(' ')
	return b.String(), append(at, -1)
}

// markMatches marks the tokens of every match of the rule's first group. The search resumes at
// the end of the group, not of the match, so that the space a match ends on can start the next.
func markMatches(re *regexp.Regexp, line string, at []int, remove []bool) {
	for pos := 0; pos < len(line); {
		loc := re.FindStringSubmatchIndex(line[pos:])
		if loc == nil {
			return
		}
		for i := pos + loc[2]; i < pos+loc[3]; i++ {
			if at[i] >= 0 {
				remove[at[i]] = true
			}
		}
		pos += loc[3]
	}
}

const (
	// insultWords are insults whatever their place in the sentence.
	insultWords = `conn?ards?|conn?ars?|konn?ards?|konn?ars?|conn?asses?|connes?|debiles?|` +
		`cretin(?:e|s|es)?|abruti(?:e|s|es)?|idiot(?:e|s|es)?|imbeciles?|enfoire(?:e|s|es)?|` +
		`enfoir|salauds?|salopes?|saloperies?|bouffon(?:s|ne|nes)?|merdes?|merdiques?|putain|putin|` +
		`ptn|ptain|putes?|fdp|ntm|encule(?:e|s|es|r)?|batard(?:e|s|es)?|tocards?|` +
		`incompetent(?:e|s|es)?|escrocs|voleurs|voleuses|arnaqueurs|arnaqueuses|tg|ftg|cons?`
	// aimedWords are insults only once aimed at someone (see aimedAt) or alone in a clause.
	aimedWords = `nul(?:le)?s?|escroc|voleur|voleuse|arnaqueur|arnaqueuse|minables?|nazes?|incapables?`
	// aimedAt are the words that turn what follows into an insult aimed at the reader.
	aimedAt = `(?:(?:espece|bande) de?|sales?|gros|grosses?|pauvres?|quel(?:le)?s?|` +
		`(?:vous etes|t es|tu es|tes|t etes)` +
		`(?: (?:des|un|une|qu un|qu une|que des|une bande de?|vraiment|trop|tellement|completement|grave|super|si))*)`
	// aimedTargets are what « nul », « de merde », « pourri » may be said of to insult.
	aimedTargets = `(?:(?:ce|cet|cette|votre|ton|ta|le|la|un|une|vos|tes|les) )?` +
		`(?:bot|robot|chatbot|assistant|service(?: client)?|sav|serveur vocal)` +
		`(?: (?:est|es|etes|sont|c est))?(?: (?:vraiment|trop|tellement|completement|grave|super))*`
)

// insultRules are matched on the folded line; the first group is what gets removed.
var insultRules = compileAll(
	// phrases
	` ((?:ferme |fermez )?(?:ta|vos|votre) (?:gueule|geule|gueul|gueules))(?: |$)`,
	` ((?:va|vas|allez|aller) (?:te|vous) faire(?: (?:foutre|voir|enculer|mettre|cuire un oeuf))?)(?: |$)`,
	` ((?:va|vas|allez) chier)(?: |$)`,
	` ((?:nique|niquer|niquez) (?:ta|votre|vos) (?:mere|race|meres))(?: |$)`,
	` ((?:fils|fille) de putes?|trou du cul|c est de la merde)(?: |$)`,
	` ((?:de |d )(?:la )?(?:merde|merdes))(?: |$)`,
	// « ferme-la » and « la ferme » only close a clause: « ferme la porte » is no insult.
	` ((?:ferme|fermez) la)(?: \| | ?$)`,
	`(?:^ |\| )(la ferme)(?: \| | ?$)`,
	// an insult with what aims it: « espèce d'abruti », « vous êtes des escrocs »
	` (`+aimedAt+` (?:`+insultWords+`|`+aimedWords+`))(?: |$)`,
	` (`+aimedTargets+` (?:`+aimedWords+`|pourris?))(?: |$)`,
	`(?:^ |\| )(`+aimedWords+`)(?: \| | ?$)`,
	` (`+insultWords+`)(?: |$)`,
)

func compileAll(exprs ...string) []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(exprs))
	for i, e := range exprs {
		out[i] = regexp.MustCompile(e)
	}
	return out
}

// unmarkExceptions gives back the words that only look like insults: « con » after « c'est »
// or in a Spanish or Italian message, « fdp » meaning « frais de port ».
func unmarkExceptions(toks []insultToken, remove []bool, text string) {
	lang := ""
	for i, t := range toks {
		if !remove[i] {
			continue
		}
		prev := func(k int) string {
			if i-k < 0 {
				return ""
			}
			return toks[i-k].word
		}
		switch t.word {
		case "con", "cons":
			if lang == "" {
				lang = Language(text) + "?"
			}
			if lang == "es?" || lang == "it?" || prev(1) == "est" || (prev(2) == "est" && intensifiers[prev(1)]) {
				remove[i] = false
			}
		case "fdp":
			next := ""
			if i+1 < len(toks) {
				next = toks[i+1].word
			}
			if shippingContext[prev(1)] || shippingContext[next] {
				remove[i] = false
			}
		}
	}
}

var intensifiers = map[string]bool{"trop": true, "vraiment": true, "tellement": true, "super": true, "grave": true}

// shippingContext are the neighbours of « fdp » when it means « frais de port ».
var shippingContext = map[string]bool{
	"les": true, "des": true, "de": true, "sans": true, "avec": true, "pas": true, "en": true,
	"offert": true, "offerts": true, "gratuit": true, "gratuits": true, "inclus": true,
	"compris": true, "sont": true, "combien": true, "payer": true,
}

// cutTokens returns text without the marked tokens, and without what separates two marked
// tokens (« t'es », « ferme-la »).
func cutTokens(text string, toks []insultToken, remove []bool) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(toks); i++ {
		if !remove[i] {
			continue
		}
		j := i
		for j+1 < len(toks) && remove[j+1] && !toks[j].boundary {
			j++
		}
		b.WriteString(text[last:toks[i].start])
		last = toks[j].end
		i = j
	}
	b.WriteString(text[last:])
	return b.String()
}

var (
	spaces         = regexp.MustCompile(`\s+`)
	spaceBeforeSep = regexp.MustCompile(` ([,;:])`)
	repeatedSeps   = regexp.MustCompile(`([,;:])(?:\s*[,;:])+`)
	leadingSeps    = regexp.MustCompile(`^[\s,;:.!?…'’-]+`)
	trailingSeps   = regexp.MustCompile(`[\s,;:'’-]+$`)
)

// tidy collapses the spaces and commas the removed words leave, and gives "" when no word is
// left.
func tidy(s string) string {
	s = spaces.ReplaceAllString(s, " ")
	s = spaceBeforeSep.ReplaceAllString(s, "$1")
	s = repeatedSeps.ReplaceAllString(s, "$1")
	s = leadingSeps.ReplaceAllString(s, "")
	s = trailingSeps.ReplaceAllString(s, "")
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
		return ""
	}
	return s
}
