package slots

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

var (
	amountRe        = regexp.MustCompile(`\d+(?:[., ]\d+)*`)
	euroCentsRe     = regexp.MustCompile(`\b(\d{1,9})€(\d{2})\b`)
	currencyAfterRe = regexp.MustCompile(`^ ?(?:€|eur\b|euros?\b)`)
	amountFormats   = []*regexp.Regexp{
		regexp.MustCompile(`^(\d+)(?:[.,](\d{1,2}))?$`),
		regexp.MustCompile(`^(\d{1,3}(?:[ .]\d{3})+)(?:,(\d{1,2}))?$`),
		regexp.MustCompile(`^(\d{1,3}(?:[ ,]\d{3})+)(?:\.(\d{1,2}))?$`),
	}
)

// findAmount accepts "49,99", "49.99 €", "50 euros", "1 200,50 €", "49€99", "moins 20 €" and
// amounts in words ("cent cinquante euros", "trente euros cinquante"); it prefers an amount with
// a currency, digits over words, and returns it with two decimals: "1200.50", "-20.00".
func findAmount(_ Spec, f folded, _ time.Time) (string, bool) {
	if v, ok := digitAmount(f.s); ok {
		return v, true
	}
	return wordAmount(f.s)
}

// digitAmount finds an amount written in digits.
func digitAmount(s string) (string, bool) {
	if m := euroCentsRe.FindStringSubmatchIndex(s); m != nil && validInteger(s[m[2]:m[3]]) {
		return signed(s[m[2]:m[3]]+"."+s[m[4]:m[5]], negativeAt(s, m[0])), true
	}
	var plain string
	for _, m := range amountRe.FindAllStringIndex(s, -1) {
		value, ok := parseAmount(s[m[0]:m[1]])
		if !ok {
			continue
		}
		value = signed(value, negativeAt(s, m[0]))
		before := strings.HasSuffix(strings.TrimSuffix(s[:m[0]], " "), "€")
		if before || currencyAfterRe.MatchString(s[m[1]:]) && cleanBefore(s, m[0]) {
			return value, true
		}
		if plain == "" && alone(s, m[0], m[1]) && !units[wordAfter(s, m[1])] && !afterCmd(s, m[0]) {
			plain = value
		}
	}
	return plain, plain != ""
}

// wordAmount finds an amount written in words: "cinquante euros", "mille deux cents",
// "douze euros et cinquante centimes". A lone "un" in a long text is an article, not 1.
func wordAmount(s string) (string, bool) {
	ws := tokens(s)
	var plain string
	for _, n := range wordNumbers(ws) {
		next := wordAt(ws, n.end)
		switch {
		case currencyWords[next]:
			return signed(fmt.Sprintf("%d.%02d", n.value, wordCents(ws, n.end+1)), wordNegative(ws, n.start)), true
		case centWords[next] && n.value <= 99:
			return signed(fmt.Sprintf("0.%02d", n.value), wordNegative(ws, n.start)), true
		case plain == "" && !units[next] && (len(ws) <= 3 || !singleAmbiguous(ws, n)):
			plain = signed(fmt.Sprintf("%d.00", n.value), wordNegative(ws, n.start))
		}
	}
	return plain, plain != ""
}

// wordCents reads the cents said after the currency, ending the text or before "centimes":
// "trente euros cinquante", "douze euros et cinquante centimes".
func wordCents(ws []string, i int) int {
	if wordAt(ws, i) == "et" {
		i++
	}
	if i >= len(ws) {
		return 0
	}
	n, ok := wordNumberAt(ws, i)
	if !ok || n.value > 99 {
		return 0
	}
	if next := wordAt(ws, n.end); next != "" && !centWords[next] {
		return 0
	}
	return n.value
}

var (
	// currencyWords are the words for euros after an amount in words.
	currencyWords = wordSet("€ eur euro euros balles")
	// centWords are the words for cents.
	centWords = wordSet("centime centimes cts ct")
	// notMinus are the words before "moins" that make it "at least" or "about", not a sign:
	// "au moins 20 €", "plus ou moins 20 €".
	notMinus = wordSet("au du pas le a ou plus")
)

// negativeAt tells whether the amount at s[i] has a minus sign: "-20 €", "− 20 €", "moins 20 €";
// not the dash of "10-20 €", nor "au moins 20 €".
func negativeAt(s string, i int) bool {
	t := strings.TrimRight(s[:i], " ")
	if strings.HasSuffix(t, "-") {
		rest := strings.TrimRight(t[:len(t)-1], " ")
		return !isAlnum(before(rest, len(rest)))
	}
	return wordBefore(s, i) == "moins" && !notMinus[wordBefore(s, len(t)-len("moins"))]
}

// wordNegative tells whether the number in words at ws[i] follows a "moins" that is a sign.
func wordNegative(ws []string, i int) bool {
	return wordAt(ws, i-1) == "moins" && !notMinus[wordAt(ws, i-2)]
}

// signed puts the minus sign on a non-zero amount.
func signed(value string, negative bool) string {
	if !negative || strings.Trim(value, "0.") == "" {
		return value
	}
	return "-" + value
}

// parseAmount reads one number written in the French or English way; "" when it is none.
func parseAmount(token string) (string, bool) {
	for _, re := range amountFormats {
		m := re.FindStringSubmatch(token)
		if m == nil {
			continue
		}
		integer := strings.NewReplacer(" ", "", ".", "", ",", "").Replace(m[1])
		if !validInteger(integer) {
			return "", false
		}
		return integer + "." + (m[2] + "00")[:2], true
	}
	return "", false
}

// validInteger rejects leading zeros ("06") and numbers too long to be an amount.
func validInteger(digits string) bool {
	return len(digits) <= 12 && (digits == "0" || digits[0] != '0')
}

// afterCmd tells whether the number at s[i] is an order number: "CMD-48213".
func afterCmd(s string, i int) bool {
	return strings.HasSuffix(strings.TrimRight(s[:i], " -#:_."), "cmd")
}
