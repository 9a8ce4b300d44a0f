package slots

import (
	"fmt"
	"regexp"
	"time"
)

var (
	hourRe     = regexp.MustCompile(`\b(\d{1,2}) ?(?:heures?|h)(?: ?(\d{2}))?`)
	colonRe    = regexp.MustCompile(`\b(\d{1,2}):(\d{2})\b`)
	noonRe     = regexp.MustCompile(`\b(midi|minuit)\b`)
	quarterRe  = regexp.MustCompile(`^ (et demie?|et quart|moins le quart|moins quart)\b`)
	eveningRe  = regexp.MustCompile(`^ (du soir|de l'apres-midi|de l'apres midi|de l'aprem)\b`)
	afterWords = wordSet("dans en pendant sous")
)

// clock is a time of day found at a position of the text.
type clock struct {
	at, hour, minute int
}

// findTime accepts 14h, 14 h 30, 14h30, 14:30, 9 heures, midi, minuit and returns 14:30.
func findTime(_ Spec, f folded, _ time.Time) (string, bool) {
	c, ok := timeIn(f.s)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("%02d:%02d", c.hour, c.minute), true
}

// findDateTime accepts a date and a time in the same text: 2027-03-12 14:30.
func findDateTime(spec Spec, f folded, now time.Time) (string, bool) {
	date, ok := findDate(spec, f, now)
	if !ok {
		return "", false
	}
	clock, ok := findTime(spec, f, now)
	if !ok {
		return "", false
	}
	return date + " " + clock, true
}

// timeIn returns the first valid time of day of s.
func timeIn(s string) (best clock, found bool) {
	for _, c := range append(append(hourTimes(s), colonTimes(s)...), noonTimes(s)...) {
		if c.hour <= 23 && c.minute <= 59 && (!found || c.at < best.at) {
			best, found = c, true
		}
	}
	return best, found
}

// hourTimes finds 14h, 14h30, 14 heures 30 and their "et demie", "du soir".
func hourTimes(s string) []clock {
	var found []clock
	for _, m := range hourRe.FindAllStringSubmatchIndex(s, -1) {
		if isAlnum(after(s, m[1])) || !cleanBefore(s, m[0]) || afterWords[wordBefore(s, m[0])] {
			continue
		}
		c := clock{at: m[0], hour: atoi(s[m[2]:m[3]])}
		if c.hour > 23 {
			continue
		}
		if m[4] >= 0 {
			c.minute = atoi(s[m[4]:m[5]])
		} else {
			c = withQuarter(c, s[m[1]:])
		}
		found = append(found, inEvening(c, s[m[1]:]))
	}
	return found
}

// colonTimes finds 14:30.
func colonTimes(s string) []clock {
	var found []clock
	for _, m := range colonRe.FindAllStringSubmatchIndex(s, -1) {
		if alone(s, m[0], m[1]) {
			found = append(found, clock{m[0], atoi(s[m[2]:m[3]]), atoi(s[m[4]:m[5]])})
		}
	}
	return found
}

// noonTimes finds midi and minuit, not the "midi" of "après-midi".
func noonTimes(s string) []clock {
	var found []clock
	for _, m := range noonRe.FindAllStringIndex(s, -1) {
		if b := before(s, m[0]); (b == '-' || b == ' ') && wordBefore(s, m[0]-1) == "apres" {
			continue
		}
		c := clock{at: m[0]}
		if s[m[0]:m[1]] == "midi" {
			c.hour = 12
		}
		found = append(found, withQuarter(c, s[m[1]:]))
	}
	return found
}

// withQuarter applies "et demie", "et quart", "moins le quart" written after an hour.
func withQuarter(c clock, rest string) clock {
	m := quarterRe.FindStringSubmatch(rest)
	switch {
	case m == nil:
	case m[1] == "et quart":
		c.minute = 15
	case m[1] == "et demi" || m[1] == "et demie":
		c.minute = 30
	default:
		c.hour, c.minute = (c.hour+23)%24, 45
	}
	return c
}

// inEvening moves "8 h du soir" to 20:00.
func inEvening(c clock, rest string) clock {
	if c.hour >= 1 && c.hour <= 11 && eveningRe.MatchString(withoutQuarter(rest)) {
		c.hour += 12
	}
	return c
}

// withoutQuarter skips an "et demie" at the start of rest.
func withoutQuarter(rest string) string {
	if m := quarterRe.FindStringIndex(rest); m != nil {
		return rest[m[1]:]
	}
	return rest
}
