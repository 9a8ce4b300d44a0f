package slots

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	groupRe     = regexp.MustCompile(`\d+`)
	runRe       = regexp.MustCompile(`\d+(?: \d+)*`)
	thousandsRe = regexp.MustCompile(`^\d{1,3}(?: \d{3})+$`)
	orderRunRe  = regexp.MustCompile(`\d+(?:[ -]\d+)+`)
)

// units are the words after a number that say it is not an identifier or a count of things asked.
var units = wordSet("€ eur euro euros e $ £ % km kg g gr cm mm m ml l h heure heures min mn minute minutes " +
	"s sec j jour jours semaine semaines mois an ans annee annees fois x")

// yearWords are the words before a 4-digit number that make it a year.
var yearWords = wordSet("en depuis annee an " + strings.Join(monthNames, " "))

// wordSet makes a set of the words of list.
func wordSet(list string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(list) {
		set[w] = true
	}
	return set
}

// cleanBefore tells whether a number starting at s[i] is not glued to what precedes it
// (letters, digits, a date or decimal separator after a digit, a sign, an e-mail).
func cleanBefore(s string, i int) bool {
	r := before(s, i)
	switch {
	case r == -1:
		return true
	case isAlnum(r) || strings.ContainsRune("+@_€$£", r):
		return false
	case strings.ContainsRune("/.,:-", r):
		return !isDigit(before(s, i-1))
	}
	return true
}

// cleanAfter tells whether a number ending at s[j] is not glued to what follows it.
func cleanAfter(s string, j int) bool {
	r := after(s, j)
	switch {
	case r == -1:
		return true
	case isAlnum(r) || strings.ContainsRune("@_€$£%", r):
		return false
	case strings.ContainsRune("/.,:-", r):
		return !isDigit(after(s, j+1))
	}
	return true
}

// alone tells whether s[i:j] is a number standing on its own.
func alone(s string, i, j int) bool {
	return cleanBefore(s, i) && cleanAfter(s, j)
}

// findOrderNumber reads an order number in the spec's pattern when it has one, else in the
// default formats (see orderIn).
func findOrderNumber(spec Spec, f folded, _ time.Time) (string, bool) {
	if spec.Pattern != "" {
		return patternOrder(spec.Pattern, f.orig)
	}
	return orderIn(f.s)
}

// patternOrder returns the first non-empty match of pattern in text (its first group when it has
// one), upper-cased and without spaces, since companies print their references that way.
func patternOrder(pattern, text string) (string, bool) {
	re, err := compile(pattern)
	if err != nil {
		return "", false
	}
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		v := m[0]
		if len(m) > 1 {
			v = m[1]
		}
		v = strings.ToUpper(strings.Join(strings.Fields(v), ""))
		if v != "" {
			return v, true
		}
	}
	return "", false
}

// orderIn accepts "CMD-48213", "cmd 48213", "n° 48213", "#48213", a lone group of 4 to 10
// digits, spaced thousands ("48 213") and groups printed by companies ("CMD-2024-58812",
// "commande n° 2024 58812"), keeping the dash between groups.
func orderIn(s string) (string, bool) {
	for _, m := range orderRunRe.FindAllStringIndex(s, -1) {
		if v, ok := orderRun(s, m[0], m[1]); ok {
			return v, true
		}
	}
	for _, m := range groupRe.FindAllStringIndex(s, -1) {
		n := m[1] - m[0]
		if n < 4 || n > 10 || !orderEdges(s, m[0], m[1]) || units[wordAfter(s, m[1])] {
			continue
		}
		if n == 4 && yearWords[wordBefore(s, m[0])] {
			continue
		}
		return "CMD-" + s[m[0]:m[1]], true
	}
	return "", false
}

// orderRun reads a run of digit groups s[i:j] as one order number: spaced thousands, or groups of
// 3 digits or more joined by dashes (or by spaces after "commande", "n°"...). Single groups are
// left to orderIn; phone numbers (groups of 2) and dates never fit.
func orderRun(s string, i, j int) (string, bool) {
	run := s[i:j]
	digits := onlyDigits(run)
	if !orderEdges(s, i, j) || units[wordAfter(s, j)] {
		return "", false
	}
	if thousandsRe.MatchString(run) && len(digits) <= 10 {
		return "CMD-" + digits, true
	}
	groups := strings.FieldsFunc(run, func(r rune) bool { return r == ' ' || r == '-' })
	if len(groups) < 2 || len(groups) > 3 || len(digits) > 14 || !strings.Contains(run, "-") && !orderPrefixed(s, i) {
		return "", false
	}
	for _, g := range groups {
		if len(g) < 3 {
			return "", false
		}
	}
	return "CMD-" + strings.Join(groups, "-"), true
}

// orderPrefixed tells whether the number at s[i] follows a word that announces an order number.
func orderPrefixed(s string, i int) bool {
	if afterCmd(s, i) || before(s, i) == '#' {
		return true
	}
	return orderWords[wordBefore(s, len(strings.TrimRight(s[:i], " #:°._-")))]
}

// orderWords are the words before an order number: "commande n° 2024 58812".
var orderWords = wordSet("cmd commande cde n no num numero ref reference")

// orderEdges tells whether the number s[i:j] stands on its own, or is glued to "cmd".
func orderEdges(s string, i, j int) bool {
	return (cleanBefore(s, i) || afterCmd(s, i)) && cleanAfter(s, j)
}

// findAccountNumber accepts 8 digits, maybe in groups separated by spaces.
func findAccountNumber(_ Spec, f folded, _ time.Time) (string, bool) {
	for _, m := range runRe.FindAllStringIndex(f.s, -1) {
		digits := strings.ReplaceAll(f.s[m[0]:m[1]], " ", "")
		if len(digits) == 8 && alone(f.s, m[0], m[1]) && !units[wordAfter(f.s, m[1])] {
			return digits, true
		}
	}
	return "", false
}

// findPostalCode accepts 5 digits ("75011", or "75 011"), from 01000 to 98999.
func findPostalCode(_ Spec, f folded, _ time.Time) (string, bool) {
	for _, m := range runRe.FindAllStringIndex(f.s, -1) {
		code := f.s[m[0]:m[1]]
		if len(code) == 6 && code[2] == ' ' {
			code = code[:2] + code[3:]
		}
		if len(code) == 5 && !strings.Contains(code, " ") && validPostalCode(code) &&
			alone(f.s, m[0], m[1]) && !units[wordAfter(f.s, m[1])] {
			return code, true
		}
	}
	for _, m := range groupRe.FindAllStringIndex(f.s, -1) {
		code := f.s[m[0]:m[1]]
		if len(code) == 5 && validPostalCode(code) && alone(f.s, m[0], m[1]) && !units[wordAfter(f.s, m[1])] {
			return code, true
		}
	}
	return "", false
}

// validPostalCode rejects the codes no French département uses.
func validPostalCode(code string) bool {
	return code[:2] != "00" && code[:2] != "99"
}

// findNumber accepts an integer ("3", "1 000") or a number in words ("trois", "deux cents",
// "quatre-vingt-dix-neuf"). Digits win over words.
func findNumber(_ Spec, f folded, _ time.Time) (string, bool) {
	for _, m := range runRe.FindAllStringIndex(f.s, -1) {
		run := f.s[m[0]:m[1]]
		if !strings.Contains(run, " ") || thousandsRe.MatchString(run) {
			if alone(f.s, m[0], m[1]) {
				return trimZeros(strings.ReplaceAll(run, " ", "")), true
			}
		}
	}
	ws := tokens(f.s)
	for _, n := range wordNumbers(ws) {
		if len(ws) <= 3 || !singleAmbiguous(ws, n) {
			return strconv.Itoa(n.value), true
		}
	}
	return "", false
}

// ambiguousNumbers are the number words that are usually something else ("un problème", "neuf"
// for new, "mille mercis"): alone, they only count in a short answer.
var ambiguousNumbers = wordSet("un une neuf mille")

// trimZeros removes the leading zeros of an integer, keeping one digit.
func trimZeros(digits string) string {
	t := strings.TrimLeft(digits, "0")
	if t == "" {
		return "0"
	}
	return t
}
