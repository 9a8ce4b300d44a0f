package slots

import (
	"regexp"
	"strings"
	"time"
)

// streetWords are the kinds of street of a French address, folded, with their abbreviations.
var streetWords = []string{"rue", "avenue", "av", "ave", "bd", "bld", "blvd", "boulevard", "chemin",
	"chem", "allee", "allees", "place", "pl", "impasse", "imp", "route", "rte", "quai", "cours", "crs",
	"square", "sq", "voie", "passage", "sentier", "residence", "lotissement", "rond-point",
	"faubourg", "fbg", "fg", "chaussee", "esplanade", "promenade", "cite", "hameau", "lieu-dit",
	"lieu dit", "parvis", "villa", "ruelle", "sente", "clos", "domaine", "montee", "traverse",
	"rampe", "parc", "zone", "za", "zi", "zac"}

var (
	streetRe = regexp.MustCompile(`\b\d{1,4} ?(?:(?:bis|ter|quater|[abc])\b)?,? ?(?:grande |petite |grand )?(?:` +
		alternation(streetWords) + `)\b\.?`)
	postalCodeRe = regexp.MustCompile(`\b\d{5}\b`)
	cityWordRe   = regexp.MustCompile(`^[a-z][a-z'-]*`)
	cedexRe      = regexp.MustCompile(`^ cedex(?: \d{1,2})?\b`)
)

// cityStops are the words after a postal code that are no longer the city.
var cityStops = wordSet("merci svp stp s'il sil please voila voici c'est cest et ok okay bonne " +
	"cordialement bien pour car mais donc je j'habite mon ma mes tel telephone mail email numero")

// findPostalAddress accepts a street address: a number, a kind of street, then a postal code and
// a city. It returns that part of the text with single spaces.
func findPostalAddress(_ Spec, f folded, _ time.Time) (string, bool) {
	towns := codesAndCities(f.s)
	for _, street := range streetRe.FindAllStringIndex(f.s, -1) {
		for len(towns) > 0 && towns[0][0] < street[1] {
			towns = towns[1:]
		}
		if len(towns) == 0 {
			break
		}
		if cleanBefore(f.s, street[0]) {
			address := strings.Join(strings.Fields(f.original(street[0], towns[0][1])), " ")
			return strings.TrimRight(address, " ,.;"), true
		}
	}
	return "", false
}

// codesAndCities finds the postal codes followed by a city: where each code starts and its city ends.
func codesAndCities(s string) [][2]int {
	var found [][2]int
	for _, m := range postalCodeRe.FindAllStringIndex(s, -1) {
		if !validPostalCode(s[m[0]:m[1]]) || !alone(s, m[0], m[1]) {
			continue
		}
		if end, ok := cityEnd(s, m[1]); ok {
			found = append(found, [2]int{m[0], end})
		}
	}
	return found
}

// cityEnd reads the city name that follows s[j] and returns where it ends.
func cityEnd(s string, j int) (int, bool) {
	rest := strings.TrimPrefix(s[j:], ",")
	pos := len(s) - len(rest)
	end := -1
	for range 6 {
		if !strings.HasPrefix(s[pos:], " ") {
			break
		}
		word := cityWordRe.FindString(s[pos+1:])
		if word == "" || cityStops[word] {
			break
		}
		pos += 1 + len(word)
		end = pos
	}
	if end < 0 {
		return 0, false
	}
	if m := cedexRe.FindStringIndex(s[end:]); m != nil {
		end += m[1]
	}
	return end, true
}
