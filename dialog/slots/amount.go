package slots

import (
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

// findAmount accepts "49,99", "49.99 €", "50 euros", "1 200,50 €", "49€99"; it prefers an amount
// with a currency and returns it with two decimals: "1200.50".
func findAmount(_ Spec, f folded, _ time.Time) (string, bool) {
	if m := euroCentsRe.FindStringSubmatch(f.s); m != nil && validInteger(m[1]) {
		return m[1] + "." + m[2], true
	}
	var plain string
	for _, m := range amountRe.FindAllStringIndex(f.s, -1) {
		value, ok := parseAmount(f.s[m[0]:m[1]])
		if !ok {
			continue
		}
		before := strings.HasSuffix(strings.TrimSuffix(f.s[:m[0]], " "), "€")
		if before || currencyAfterRe.MatchString(f.s[m[1]:]) && cleanBefore(f.s, m[0]) {
			return value, true
		}
		if plain == "" && alone(f.s, m[0], m[1]) && !units[wordAfter(f.s, m[1])] && !afterCmd(f.s, m[0]) {
			plain = value
		}
	}
	return plain, plain != ""
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
