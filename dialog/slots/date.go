package slots

import (
	"regexp"
	"strconv"
	"time"
)

// monthNames are the month names and abbreviations, folded.
var monthNames = []string{"janvier", "janv", "fevrier", "fevr", "fev", "mars", "avril", "avr", "mai",
	"juin", "juillet", "juil", "aout", "septembre", "sept", "sep", "octobre", "oct", "novembre", "nov",
	"decembre", "dec"}

// months maps the month names to their months.
var months = map[string]time.Month{
	"janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4,
	"mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9, "sep": 9,
	"octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
}

// weekdays maps the French day names to their weekdays.
var weekdays = map[string]time.Weekday{
	"lundi": time.Monday, "mardi": time.Tuesday, "mercredi": time.Wednesday, "jeudi": time.Thursday,
	"vendredi": time.Friday, "samedi": time.Saturday, "dimanche": time.Sunday,
}

// relativeDays maps the words for days near today to their distance from today.
var relativeDays = map[string]int{
	"aujourd'hui": 0, "aujourd hui": 0, "aujourdhui": 0, "auj": 0, "ajd": 0, "ce matin": 0,
	"ce midi": 0, "cet apres-midi": 0, "cet apres midi": 0, "cet aprem": 0, "ce soir": 0,
	"demain": 1, "apres-demain": 2, "apres demain": 2,
	// In the past: a limit can then say so (« Cette date est déjà passée »), instead of a
	// date not understood.
	"hier": -1, "avant-hier": -2, "avant hier": -2,
}

var (
	isoDateRe  = regexp.MustCompile(`\b(\d{4})-(\d{1,2})-(\d{1,2})\b`)
	numDateRe  = regexp.MustCompile(`\b(\d{1,2})([/.-])(\d{1,2})(?:[/.-](\d{4}|\d{2}))?\b`)
	wordDateRe = regexp.MustCompile(`\b(1er|\d{1,2}) ?(` + alternation(monthNames) +
		`)\b\.?(?: (\d{4})\b)?`)
	relativeRe = regexp.MustCompile(`\b(` + alternation(keys(relativeDays)) + `|` +
		alternation(keys(weekdays)) + `)\b`)
	inDaysRe     = regexp.MustCompile(`\b(?:dans|d'ici|sous) (\d{1,3}|[a-z]+(?:[ -][a-z]+){0,3}) (jours?|semaines?|mois)\b`)
	dayOnlyRe    = regexp.MustCompile(`\b(?:le|du|au) (1er|\d{1,2})\b`)
	weekdayDayRe = regexp.MustCompile(`^ (1er|\d{1,2})\b`)
	nextWeekRe   = regexp.MustCompile(`^ (?:de la |la )?semaine (?:prochaine|d'apres)\b`)
	nextRe       = regexp.MustCompile(`^ prochaine?\b`)
)

// dayOnlyNext are the words that may follow "le 15" when it is a date.
var dayOnlyNext = wordSet("a vers entre dans de apres avant matin soir ou et si svp stp merci prochain ce cet midi")

// findDate accepts a date and returns it as 2027-03-12.
func findDate(_ Spec, f folded, now time.Time) (string, bool) {
	d, ok := dateIn(f.s, now)
	if !ok {
		return "", false
	}
	return d.Format("2006-01-02"), true
}

// dateIn finds the date of s: a written date first, then a relative one, then "le 15".
func dateIn(s string, now time.Time) (time.Time, bool) {
	today := midnight(now)
	for _, find := range []func(string, time.Time) (hit, bool){writtenDate, relativeDate, dayOnlyDate} {
		if h, ok := find(s, today); ok {
			return h.date, true
		}
	}
	return time.Time{}, false
}

// hit is a date found at a position of the text.
type hit struct {
	at   int
	date time.Time
}

// earliest keeps the hit found first in the text.
func earliest(best hit, found bool, h hit) (hit, bool) {
	if !found || h.at < best.at {
		return h, true
	}
	return best, found
}

// writtenDate finds 12/03, 12/03/2027, 2027-03-12, le 3 mars, 3 mars 2027.
func writtenDate(s string, today time.Time) (best hit, found bool) {
	for _, m := range isoDateRe.FindAllStringSubmatchIndex(s, -1) {
		if d, ok := makeDate(atoi(s[m[2]:m[3]]), atoi(s[m[4]:m[5]]), atoi(s[m[6]:m[7]]), today); ok && alone(s, m[0], m[1]) {
			best, found = earliest(best, found, hit{m[0], d})
		}
	}
	for _, m := range numDateRe.FindAllStringSubmatchIndex(s, -1) {
		if d, ok := numericDate(s, m, today); ok {
			best, found = earliest(best, found, hit{m[0], d})
		}
	}
	for _, m := range wordDateRe.FindAllStringSubmatchIndex(s, -1) {
		year := -1
		if m[6] >= 0 {
			year = atoi(s[m[6]:m[7]])
		}
		d, ok := makeDate(year, int(months[s[m[4]:m[5]]]), atoi(s[m[2]:m[3]]), today)
		if ok && cleanBefore(s, m[0]) {
			best, found = earliest(best, found, hit{m[0], d})
		}
	}
	return best, found
}

// numericDate reads a dd/mm or dd/mm/yyyy match; dd.mm needs a year (else it is an amount).
func numericDate(s string, m []int, today time.Time) (time.Time, bool) {
	year := -1
	if m[8] >= 0 {
		year = atoi(s[m[8]:m[9]])
		if year < 100 {
			year += 2000
		}
	} else if s[m[4]:m[5]] == "." {
		return time.Time{}, false
	}
	if !alone(s, m[0], m[1]) {
		return time.Time{}, false
	}
	return makeDate(year, atoi(s[m[6]:m[7]]), atoi(s[m[2]:m[3]]), today)
}

// relativeDate finds aujourd'hui, demain, après-demain, dans 3 jours, lundi (prochain).
func relativeDate(s string, today time.Time) (best hit, found bool) {
	for _, m := range relativeRe.FindAllStringSubmatchIndex(s, -1) {
		word := s[m[2]:m[3]]
		if n, ok := relativeDays[word]; ok {
			best, found = earliest(best, found, hit{m[0], today.AddDate(0, 0, n)})
			continue
		}
		best, found = earliest(best, found, hit{m[0], weekdayDate(s, m[1], weekdays[word], today)})
	}
	for _, m := range inDaysRe.FindAllStringSubmatchIndex(s, -1) {
		if d, ok := inDays(s[m[2]:m[3]], s[m[4]:m[5]], today); ok {
			best, found = earliest(best, found, hit{m[0], d})
		}
	}
	return best, found
}

// inDays reads « dans 10 jours », « dans une semaine », « d'ici quinze jours », « dans 2 mois ».
func inDays(count, unit string, today time.Time) (time.Time, bool) {
	n, ok := 0, true
	if isDigit(rune(count[0])) {
		n = atoi(count)
	} else if n, ok = wordValues[count]; !ok {
		w, found := wordNumberAt(tokens(count), 0)
		if !found {
			return time.Time{}, false
		}
		n = w.value
	}
	switch unit[0] {
	case 's':
		return today.AddDate(0, 0, 7*n), true
	case 'm':
		return today.AddDate(0, n, 0), true
	}
	return today.AddDate(0, 0, n), true
}

// weekdayDate returns the date of a weekday named before s[j]: "lundi 22" is the next 22nd,
// "lundi" or "lundi prochain" the next Monday strictly after today, "lundi de la semaine
// prochaine" the Monday of the next Monday–Sunday week.
func weekdayDate(s string, j int, day time.Weekday, today time.Time) time.Time {
	if m := weekdayDayRe.FindStringSubmatchIndex(s[j:]); m != nil && dayOnlyEnds(s, j+m[1]) {
		if d, ok := nextDayOfMonth(atoi(s[j+m[2]:j+m[3]]), today); ok {
			return d
		}
	}
	if nextWeekRe.MatchString(s[j:]) {
		return nextMonday(today).AddDate(0, 0, mondayFirst(day))
	}
	n := (int(day) - int(today.Weekday()) + 7) % 7
	if n == 0 {
		n = 7
	}
	return today.AddDate(0, 0, n)
}

// nextMonday returns the Monday after today: French weeks run from Monday to Sunday.
func nextMonday(today time.Time) time.Time {
	return today.AddDate(0, 0, 7-mondayFirst(today.Weekday()))
}

// Ambiguous returns the two dates a "date" or "datetime" answer may mean, in the type's format,
// the earliest first (the one Find returns): « jeudi prochain » said on a Wednesday is tomorrow
// for some and Thursday of the next week for others. Only a day one or two days away is in
// doubt. It is nil when the answer is clear, « jeudi de la semaine prochaine » included.
func Ambiguous(spec Spec, text string, now time.Time) []string {
	if spec.Type != "date" && spec.Type != "datetime" {
		return nil
	}
	value, ok := Find(spec, text, now)
	if !ok {
		return nil
	}
	s, today := foldString(text), midnight(now)
	if _, written := writtenDate(s, today); written {
		return nil // "le 12/03, vendredi prochain": the written date settles it
	}
	for _, m := range relativeRe.FindAllStringSubmatchIndex(s, -1) {
		day, isDay := weekdays[s[m[2]:m[3]]]
		if !isDay || !nextRe.MatchString(s[m[1]:]) {
			continue
		}
		d := weekdayDate(s, m[1], day, today)
		// Only tomorrow and the day after are in doubt: « samedi prochain » said on a Wednesday
		// is this Saturday for most people, « jeudi prochain » could be tomorrow or next week's.
		if d.Format("2006-01-02") != value[:10] || !d.Before(nextMonday(today)) || d.After(today.AddDate(0, 0, 2)) {
			return nil
		}
		return []string{value, d.AddDate(0, 0, 7).Format("2006-01-02") + value[10:]}
	}
	return nil
}

// midnight returns the start of now's day, in now's location.
func midnight(now time.Time) time.Time {
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
}

// dayOnlyDate finds "le 15": the next 15th of a month, today included.
func dayOnlyDate(s string, today time.Time) (hit, bool) {
	for _, m := range dayOnlyRe.FindAllStringSubmatchIndex(s, -1) {
		if !dayOnlyEnds(s, m[1]) {
			continue
		}
		if d, ok := nextDayOfMonth(atoi(s[m[2]:m[3]]), today); ok {
			return hit{m[0], d}, true
		}
	}
	return hit{}, false
}

// nextDayOfMonth returns the next date on that day of a month, today included.
func nextDayOfMonth(day int, today time.Time) (time.Time, bool) {
	for k := range 12 {
		first := time.Date(today.Year(), today.Month()+time.Month(k), 1, 0, 0, 0, 0, today.Location())
		if d, ok := makeDate(first.Year(), int(first.Month()), day, today); ok && !d.Before(today) {
			return d, true
		}
	}
	return time.Time{}, false
}

// dayOnlyEnds tells whether "le 15" ending at s[j] is a date: followed by nothing, punctuation,
// a number ("le 15 14h") or a word that fits ("le 15 à 14h", not "le 3 articles").
func dayOnlyEnds(s string, j int) bool {
	r := after(s, j)
	switch {
	case r == -1 || isPunct(r):
		return true
	case r != ' ':
		return false
	}
	next := wordAfter(s, j)
	return next == "" || isDigit(after(s, j+1)) || !isAlnum(after(s, j+1)) || dayOnlyNext[next]
}

// isPunct tells the punctuation that may end a date.
func isPunct(r rune) bool {
	return r == ',' || r == '.' || r == '!' || r == '?' || r == ';' || r == ')'
}

// makeDate builds a valid date; year -1 means the next such date, today included.
func makeDate(year, month, day int, today time.Time) (time.Time, bool) {
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return time.Time{}, false
	}
	if year >= 0 {
		return exactDate(year, month, day, today.Location())
	}
	for y := today.Year(); y <= today.Year()+8; y++ {
		if d, ok := exactDate(y, month, day, today.Location()); ok && !d.Before(today) {
			return d, true
		}
	}
	return time.Time{}, false
}

// exactDate builds a date when it exists (no 31/02) and its year is plausible.
func exactDate(year, month, day int, loc *time.Location) (time.Time, bool) {
	d := time.Date(year, time.Month(month), day, 0, 0, 0, 0, loc)
	ok := year >= 1900 && year <= 2200 && d.Day() == day && d.Month() == time.Month(month)
	return d, ok
}

// atoi reads digits ("1er" is 1); it is only given what a regexp matched.
func atoi(s string) int {
	if s == "1er" {
		return 1
	}
	n, _ := strconv.Atoi(s)
	return n
}
