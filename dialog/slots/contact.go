package slots

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

var (
	phoneRe = regexp.MustCompile(`(?:(?:\+|00) ?33 ?(?:\(0\) ?|0)?|0)([1-9](?:[ .-]?\d){8})`)
	emailRe = regexp.MustCompile(`([a-z0-9._%+-]+) ?@ ?((?:[a-z0-9-]+\.)+[a-z]{2,24})`)
)

// findPhone accepts French numbers: 0X XX XX XX XX, +33 X XX XX XX XX, 0033..., with spaces,
// dots or dashes.
func findPhone(_ Spec, f folded, _ time.Time) (string, bool) {
	for _, m := range phoneRe.FindAllStringSubmatchIndex(f.s, -1) {
		if !cleanBefore(f.s, m[0]) || !cleanAfter(f.s, m[1]) || longer(f.s, m[1]) {
			continue
		}
		return "+33" + onlyDigits(f.s[m[2]:m[3]]), true
	}
	return "", false
}

// longer tells whether a digit follows s[j] after one space: the number goes on.
func longer(s string, j int) bool {
	return after(s, j) == ' ' && isDigit(after(s, j+1))
}

// onlyDigits keeps the digits of s.
func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if isDigit(r) {
			return r
		}
		return -1
	}, s)
}

// findEmail accepts an e-mail address, returned in lower case.
func findEmail(_ Spec, f folded, _ time.Time) (string, bool) {
	s := strings.ToLower(strings.Join(strings.Fields(f.orig), " "))
	for _, m := range emailRe.FindAllStringSubmatchIndex(s, -1) {
		local, domain := s[m[2]:m[3]], s[m[4]:m[5]]
		if emailEdges(s, m[0], m[1]) && validLocal(local) && validDomain(domain) {
			return local + "@" + domain, true
		}
	}
	return "", false
}

// emailEdges tells whether the address s[i:j] is not cut out of a longer word.
func emailEdges(s string, i, j int) bool {
	if r := before(s, i); r != -1 && (isAlnum(r) || strings.ContainsRune("._%+-@", r)) {
		return false
	}
	r := after(s, j)
	return r == -1 || !(isAlnum(r) || strings.ContainsRune("_%+-@", r) || r == '.' && isAlnum(after(s, j+1)))
}

// validLocal checks the part before the @.
func validLocal(local string) bool {
	return len(local) <= 64 && local[0] != '.' && local[len(local)-1] != '.' && !strings.Contains(local, "..")
}

// validDomain checks the part after the @: labels without leading or trailing dashes.
func validDomain(domain string) bool {
	if len(domain) > 253 || !utf8.ValidString(domain) {
		return false
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
	}
	return true
}
