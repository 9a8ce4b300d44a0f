package intents

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxWordBytes drops longer "words": no French word is that long, but pasted tokens, keys and
// keyboard mashing are, and collapsing "xxxx…" to "x" would make them look like a real word.
const maxWordBytes = 40

// MaxTextBytes bounds the text the classifier reads: longer input is cut at a rune boundary,
// so a 10,000-character paste costs no more than a long chat message.
const MaxTextBytes = 1000

// Normalize turns raw customer text into lower-case ASCII words: accents folded, elisions
// (l' d' j' qu' n' s' c' m' t') detached, punctuation dropped, runs of three or more identical
// letters collapsed ("merciii" → "merci"), digit runs replaced by a length class ("#3" for
// "CMD-482" style numbers) so that order numbers and amounts share features. Invalid UTF-8 is
// dropped, never trusted.
func Normalize(text string) []string {
	if len(text) > MaxTextBytes {
		text = cutAtRune(text, MaxTextBytes)
	}
	var words []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 && b.Len() <= maxWordBytes {
			words = append(words, collapseRepeats(b.String()))
		}
		b.Reset()
	}
	digits := 0
	flushDigits := func() {
		if digits > 0 {
			flush()
			words = append(words, digitClass(digits))
			digits = 0
		}
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if r == utf8.RuneError && size <= 1 {
			flushDigits()
			flush()
			continue
		}
		switch {
		case r >= '0' && r <= '9':
			flush()
			digits++
		case isApostrophe(r):
			flushDigits()
			if isElision(b.String()) {
				b.Reset() // "l'adresse" → "adresse": the article carries no intent.
			}
			flush()
		default:
			flushDigits()
			if f := fold(r); f != "" {
				b.WriteString(f)
			} else {
				flush()
			}
		}
	}
	flushDigits()
	flush()
	return words
}

func cutAtRune(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func isApostrophe(r rune) bool {
	return r == '\'' || r == '’' || r == '‘' || r == '`' || r == 'ʼ'
}

// elisions are the French words that lose their vowel before another word.
var elisions = map[string]bool{
	"l": true, "d": true, "j": true, "qu": true, "n": true, "s": true,
	"c": true, "m": true, "t": true, "jusqu": true, "lorsqu": true, "puisqu": true,
}

func isElision(w string) bool { return elisions[w] }

// fold maps a rune to lower-case ASCII letters, or "" for a separator.
func fold(r rune) string {
	if r < utf8.RuneSelf {
		switch {
		case r >= 'a' && r <= 'z':
			return string(r)
		case r >= 'A' && r <= 'Z':
			return string(r + 'a' - 'A')
		}
		return ""
	}
	if f, ok := accentFolds[unicode.ToLower(r)]; ok {
		return f
	}
	if unicode.IsLetter(r) {
		return string(unicode.ToLower(r))
	}
	return ""
}

var accentFolds = map[rune]string{
	'à': "a", 'â': "a", 'ä': "a", 'á': "a", 'ã': "a", 'å': "a",
	'ç': "c", 'é': "e", 'è': "e", 'ê': "e", 'ë': "e",
	'î': "i", 'ï': "i", 'í': "i", 'ì': "i",
	'ô': "o", 'ö': "o", 'ó': "o", 'ò': "o", 'õ': "o",
	'ù': "u", 'û': "u", 'ü': "u", 'ú': "u",
	'ÿ': "y", 'ñ': "n", 'œ': "oe", 'æ': "ae", 'ß': "ss",
}

// collapseRepeats shortens runs of three or more identical letters to one.
func collapseRepeats(w string) string {
	if len(w) < 3 {
		return w
	}
	out := make([]byte, 0, len(w))
	for i := 0; i < len(w); {
		j := i
		for j < len(w) && w[j] == w[i] {
			j++
		}
		n := j - i
		if n >= 3 {
			n = 1
		}
		for k := 0; k < n; k++ {
			out = append(out, w[i])
		}
		i = j
	}
	return string(out)
}

func digitClass(n int) string {
	if n > 5 {
		n = 5
	}
	return "#" + string(rune('0'+n))
}
