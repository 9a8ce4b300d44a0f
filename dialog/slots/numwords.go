package slots

import "regexp"

// wordValues are the French number words below 100 that numbers are built from, folded, with
// the Belgian and Swiss tens (septante, huitante, octante, nonante).
var wordValues = map[string]int{
	"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
	"huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
	"quinze": 15, "seize": 16, "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40,
	"cinquante": 50, "soixante": 60, "septante": 70, "huitante": 80, "octante": 80, "nonante": 90,
}

// tokenRe cuts a folded text into words, keeping the euro sign as a word.
var tokenRe = regexp.MustCompile(`[\pL\pN]+|€|%`)

// tokens returns the words of a folded text, "pour cent" turned into "%" so that "vingt pour
// cent" is not read as 20 then 100.
func tokens(s string) []string {
	var out []string
	for _, w := range tokenRe.FindAllString(s, -1) {
		if w == "cent" && len(out) > 0 && out[len(out)-1] == "pour" {
			out[len(out)-1] = "%"
			continue
		}
		out = append(out, w)
	}
	return out
}

// wordNumber is a number written in words: its value and the words ws[start:end] it spans.
type wordNumber struct {
	value, start, end int
}

// wordNumbers finds the numbers written in words in ws, in order: "mille deux cents" is 1200,
// "deux trois" is 2 then 3.
func wordNumbers(ws []string) []wordNumber {
	var found []wordNumber
	for i := 0; i < len(ws); {
		n, ok := wordNumberAt(ws, i)
		if !ok {
			i++
			continue
		}
		found = append(found, n)
		i = n.end
	}
	return found
}

// wordNumberAt reads the longest well-formed number in words starting at ws[i].
func wordNumberAt(ws []string, i int) (wordNumber, bool) {
	if ws[i] == "zero" {
		return wordNumber{0, i, i + 1}, true
	}
	var p numberParser
	j := i
	for j < len(ws) {
		if ws[j] == "et" && j > i && j+1 < len(ws) && etJoins(p.last, ws[j+1]) {
			j++
			continue
		}
		if !p.add(ws[j]) {
			break
		}
		j++
	}
	if j == i {
		return wordNumber{}, false
	}
	return wordNumber{p.value(), i, j}, true
}

// etJoins tells whether "et" between a tens and w is part of the number: "vingt et un",
// "soixante et onze".
func etJoins(last int, w string) bool {
	switch w {
	case "un", "une":
		return last >= 20 && last%10 == 0 && last != 80
	case "onze":
		return last == 60
	}
	return false
}

// numberParser adds up the words of a number, refusing the sequences French does not write
// ("deux trois", "vingt cent").
type numberParser struct {
	thousands, hundreds, units int // units: the part below 100 of the current group
	last                       int // the last word below 100 read, 0 at the start of a group
	cent, mille                bool
}

// value is the number read so far.
func (p numberParser) value() int {
	return p.thousands + p.hundreds + p.units
}

// add reads one more word; false when it cannot continue the number.
func (p *numberParser) add(w string) bool {
	switch w {
	case "cent", "cents":
		if p.cent || p.units >= 10 {
			return false
		}
		p.hundreds, p.units, p.last, p.cent = max(p.units, 1)*100, 0, 0, true
		return true
	case "mille", "mil":
		if p.mille {
			return false
		}
		p.thousands = max(p.hundreds+p.units, 1) * 1000
		p.hundreds, p.units, p.last, p.cent, p.mille = 0, 0, 0, false, true
		return true
	}
	v, ok := wordValues[w]
	return ok && p.addBelow100(v)
}

// addBelow100 reads a word below 100: a first word, the 80 of "quatre-vingts", or a smaller word
// that may follow the last one ("dix-sept", "soixante-douze", "quatre-vingt-dix-neuf").
func (p *numberParser) addBelow100(v int) bool {
	switch {
	case p.last == 0 && p.units == 0:
		p.units, p.last = v, v
	case v == 20 && p.last == 4 && p.units == 4:
		p.units, p.last = 80, 80
	case fitsAfter(p.last, v):
		p.units, p.last = p.units+v, v
	default:
		return false
	}
	return true
}

// fitsAfter tells whether the word worth v may follow the word worth last below 100.
func fitsAfter(last, v int) bool {
	switch last {
	case 10:
		return v >= 7 && v <= 9
	case 60, 80:
		return v >= 1 && v <= 16
	case 20, 30, 40, 50, 70, 90:
		return v >= 1 && v <= 9
	}
	return false
}

// singleAmbiguous tells whether the number n is one word that is usually something else.
func singleAmbiguous(ws []string, n wordNumber) bool {
	return n.end-n.start == 1 && ambiguousNumbers[ws[n.start]]
}

// wordAt returns ws[i], or "" past the end.
func wordAt(ws []string, i int) string {
	if i < 0 || i >= len(ws) {
		return ""
	}
	return ws[i]
}
