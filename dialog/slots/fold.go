package slots

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// folded is a message in lower case without accents, with its whitespace collapsed to single
// spaces and its apostrophes and dashes unified, keeping the way back to the original text.
type folded struct {
	s    string // the folded text
	orig string // the original text
	pos  []int  // pos[i]: offset in orig of the rune that gave byte i of s; pos[len(s)] = len(orig)
}

// accents maps the accented letters (already in lower case) of French and its neighbours to ASCII.
var accents = map[rune]string{
	'à': "a", 'â': "a", 'ä': "a", 'á': "a", 'ã': "a", 'å': "a", 'æ': "ae",
	'ç': "c", 'é': "e", 'è': "e", 'ê': "e", 'ë': "e",
	'î': "i", 'ï': "i", 'í': "i", 'ì': "i", 'ñ': "n",
	'ô': "o", 'ö': "o", 'ó': "o", 'ò': "o", 'õ': "o", 'ø': "o", 'œ': "oe",
	'ù': "u", 'û': "u", 'ü': "u", 'ú': "u", 'ÿ': "y", 'ý': "y",
	'’': "'", '‘': "'", 'ʼ': "'", '`': "'", '´': "'",
	'‐': "-", '‑': "-", '–': "-", '—': "-", '−': "-",
}

// fold prepares text for matching.
func fold(text string) folded {
	var b strings.Builder
	pos := make([]int, 0, len(text)+1)
	space := false
	for i, r := range text {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
			pos = append(pos, i)
		}
		space = false
		out := foldRune(r)
		b.WriteString(out)
		for range len(out) {
			pos = append(pos, i)
		}
	}
	pos = append(pos, len(text))
	return folded{s: b.String(), orig: text, pos: pos}
}

// foldRune returns r in lower case without its accent.
func foldRune(r rune) string {
	r = unicode.ToLower(r)
	if s, ok := accents[r]; ok {
		return s
	}
	return string(r)
}

// foldString is fold for texts whose original form is not needed.
func foldString(text string) string {
	return fold(text).s
}

// original returns the part of the original text that gave f.s[i:j].
func (f folded) original(i, j int) string {
	return f.orig[f.pos[i]:f.pos[j]]
}

// before returns the rune just before s[i], or -1 at the start.
func before(s string, i int) rune {
	if i <= 0 {
		return -1
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r
}

// after returns the rune at s[j], or -1 at the end.
func after(s string, j int) rune {
	if j >= len(s) {
		return -1
	}
	r, _ := utf8.DecodeRuneInString(s[j:])
	return r
}

// isAlnum tells letters and digits.
func isAlnum(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// isDigit tells ASCII digits.
func isDigit(r rune) bool {
	return r >= '0' && r <= '9'
}

// words returns the folded text cut into words of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !isAlnum(r) })
}

// wordBefore returns the word (letters only) that ends just before s[i], skipping spaces.
func wordBefore(s string, i int) string {
	t := strings.TrimRight(s[:i], " ")
	j := len(t)
	for j > 0 && unicode.IsLetter(before(t, j)) {
		_, n := utf8.DecodeLastRuneInString(t[:j])
		j -= n
	}
	return t[j:]
}

// wordAfter returns what follows s[j], after spaces, up to the next space.
func wordAfter(s string, j int) string {
	t := strings.TrimLeft(s[j:], " ")
	if k := strings.IndexByte(t, ' '); k >= 0 {
		t = t[:k]
	}
	return strings.TrimRight(t, ".,;!?)")
}
