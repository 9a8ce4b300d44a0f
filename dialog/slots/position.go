package slots

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// lastRank and beforeLastRank stand for « le dernier » and « l'avant-dernier », whatever the count.
const (
	lastRank       = -1
	beforeLastRank = -2
)

// ordinals maps the French ordinal words, folded, to their rank.
var ordinals = map[string]int{
	"premier": 1, "premiere": 1, "prem": 1, "deuxieme": 2, "second": 2, "seconde": 2,
	"troisieme": 3, "quatrieme": 4, "cinquieme": 5, "sixieme": 6, "septieme": 7, "huitieme": 8,
	"neuvieme": 9, "dixieme": 10, "dernier": lastRank, "derniere": lastRank,
}

// cardinals are the ranks written as numbers in words: they only designate an item after a
// marker ("numéro deux", "l'option trois"), since "la une" or "deux" alone rarely mean a rank.
var cardinals = map[string]int{
	"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
	"huit": 8, "neuf": 9, "dix": 10,
}

// rankMarkers are the words that announce a rank: "n°2", "numéro 3", "option 2".
var rankMarkers = wordSet("n no num numero option choix")

// rankFillers are the words around a rank that do not change it: "je prends la deuxième svp".
var rankFillers = wordSet("le la l les je j prends prendrai prendre prend choisis choisi choisirais " +
	"opte pour plutot alors euh ben bah bon c est ce sera ca celle celui oui ok non svp stp merci " +
	"s il vous te plait voudrais veux aimerais souhaite de des du dans liste reponse proposition")

// digitOrdinalRe reads "1er", "2e", "2eme", "3ème", "2nd".
var digitOrdinalRe = regexp.MustCompile(`^(\d{1,2})(?:er|ere|re|e|eme|ieme|nd|nde)$`)

// Position returns the 0-based index among n items that a positional answer designates: « le
// premier », « la deuxième », « le 2 », « 2 », « n°2 », « numéro 3 », « le dernier », « l'avant-
// dernière ». ok is false when text is not such an answer or the rank is not within 1..n.
func Position(text string, n int) (int, bool) {
	rank, _, ok := rankIn(foldString(text))
	if !ok {
		return 0, false
	}
	switch rank {
	case lastRank:
		rank = n
	case beforeLastRank:
		rank = n - 1
	}
	if rank < 1 || rank > n {
		return 0, false
	}
	return rank - 1, true
}

// rankIn reads the rank a folded text gives, 1-based or lastRank or beforeLastRank; inWords tells a rank given by an ordinal word ("dernière"), not by digits.
func rankIn(s string) (rank int, inWords bool, ok bool) {
	var rest []string
	marked := false
	for _, w := range words(s) {
		switch {
		case rankMarkers[w]:
			marked = true
		case !rankFillers[w]:
			rest = append(rest, w)
		}
	}
	switch {
	case len(rest) == 2 && rest[0] == "avant" && isOrdinal(rest[1]) && ordinals[rest[1]] == lastRank:
		return beforeLastRank, true, true
	case len(rest) != 1:
		return 0, false, false
	}
	return singleRank(rest[0], marked)
}

// singleRank reads one word of rank: "deuxieme", "2e", "2", or "deux" after a marker.
func singleRank(w string, marked bool) (rank int, inWords bool, ok bool) {
	if r, known := ordinals[w]; known {
		return r, true, true
	}
	if m := digitOrdinalRe.FindStringSubmatch(w); m != nil {
		return atoi(m[1]), false, true
	}
	if onlyDigits(w) == w && len(w) <= 2 {
		return atoi(w), false, true
	}
	if r, known := cardinals[w]; known && marked {
		return r, false, true
	}
	return 0, false, false
}

// isOrdinal tells whether w is an ordinal word.
func isOrdinal(w string) bool {
	_, ok := ordinals[w]
	return ok
}

// positionalOption returns the option a positional answer designates. An option that itself
// says the rank wins over the position: « le dernier » is the option « La dernière », and « 3 »
// is not a position among options that say 3.
func positionalOption(options []string, s string) (string, bool) {
	rank, inWords, ok := rankIn(s)
	if !ok {
		return "", false
	}
	if inWords {
		if o, ok := optionWithRank(options, rank); ok {
			return o, true
		}
	} else if found := mentioning(options, strconv.Itoa(rank)); len(found) > 0 {
		// "3" among "1 mois", "3 mois" is the option that says 3, not the third one.
		return found[0], len(found) == 1
	}
	i, ok := Position(s, len(options))
	if !ok {
		return "", false
	}
	return options[i], true
}

// optionWithRank returns the only option holding an ordinal word of that rank.
func optionWithRank(options []string, rank int) (string, bool) {
	var found []string
	for _, o := range options {
		ws := words(foldString(o))
		if slices.ContainsFunc(ws, func(w string) bool { return isOrdinal(w) && ordinals[w] == rank }) {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		return "", false
	}
	return found[0], true
}

// mentioning returns the options that have the word w.
func mentioning(options []string, w string) []string {
	var found []string
	for _, o := range options {
		if slices.Contains(words(foldString(o)), w) {
			found = append(found, o)
		}
	}
	return found
}

// synonymOptions returns the options, in their order, with a synonym said in the plain text.
func synonymOptions(spec Spec, text string) []string {
	var found []string
	for key, syns := range spec.Synonyms {
		o, ok := optionNamed(spec.Options, key)
		if !ok || slices.Contains(found, o) {
			continue
		}
		if slices.ContainsFunc(syns, func(syn string) bool { return containsWords(text, syn) }) {
			found = append(found, o)
		}
	}
	slices.SortFunc(found, func(a, b string) int {
		return slices.Index(spec.Options, a) - slices.Index(spec.Options, b)
	})
	return found
}

// containsWords tells whether the words of phrase follow each other in the plain text, accents,
// case and plurals ignored.
func containsWords(text, phrase string) bool {
	want := stems(words(foldString(phrase)))
	if len(want) == 0 {
		return false
	}
	have := stems(strings.Fields(text))
	for i := 0; i+len(want) <= len(have); i++ {
		if slices.Equal(have[i:i+len(want)], want) {
			return true
		}
	}
	return false
}

// stems returns the words without their plural ending.
func stems(list []string) []string {
	out := make([]string, len(list))
	for i, w := range list {
		out[i] = stem(w)
	}
	return out
}
