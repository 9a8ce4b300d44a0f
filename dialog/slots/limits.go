package slots

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Limits are the designer's constraints on a slot's value (dialog files: keys on the slot step).
type Limits struct {
	Min      *float64 `yaml:"min"`      // amount, number: smallest value allowed
	Max      *float64 `yaml:"max"`      // amount, number: largest value allowed
	MinDays  *int     `yaml:"min_days"` // date, datetime: at least this many days after today (0: not in the past)
	MaxDays  *int     `yaml:"max_days"` // date, datetime: at most this many days after today
	Weekdays []string `yaml:"weekdays"` // date, datetime: French day names allowed (lundi … dimanche)
	Hours    []string `yaml:"hours"`    // time, datetime: windows "10:00-18:30" (several allowed)
}

// Empty tells whether no limit is set.
func (l Limits) Empty() bool {
	return l.Min == nil && l.Max == nil && l.MinDays == nil && l.MaxDays == nil &&
		len(l.Weekdays) == 0 && len(l.Hours) == 0
}

// dayNames are the French day names, Monday first like the French week (see mondayFirst).
var dayNames = []string{"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"}

// windowRe reads an hours window: "10:00-18:30".
var windowRe = regexp.MustCompile(`^\s*([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-3]):([0-5]\d)\s*$`)

// Explain returns "" when value (as Find returns it for spec's type) satisfies every limit, else
// one polite French sentence saying what is allowed. Days are counted by calendar date in now's
// location. A value Explain cannot read is not refused: Find already vouched for it.
func (l Limits) Explain(spec Spec, value string, now time.Time) string {
	switch spec.Type {
	case "amount", "number":
		return l.explainNumber(spec.Type == "amount", value)
	case "date":
		return l.explainDate(value, "", now)
	case "time":
		return l.explainHours(value)
	case "datetime":
		date, clock, _ := strings.Cut(value, " ")
		if msg := l.explainDate(date, clock, now); msg != "" {
			return msg
		}
		return l.explainHours(clock)
	}
	return ""
}

// explainNumber checks min and max.
func (l Limits) explainNumber(amount bool, value string) string {
	v, err := strconv.ParseFloat(value, 64)
	if err != nil {
		return ""
	}
	what, show := "Le nombre", frenchNumber
	if amount {
		what, show = "Le montant", frenchEuros
	}
	switch {
	case l.Min != nil && v < *l.Min && v < 0 && *l.Min > 0:
		return fmt.Sprintf("%s doit être positif, d'au moins %s.", what, show(*l.Min))
	case l.Min != nil && v < *l.Min && v < 0 && *l.Min == 0:
		return what + " ne peut pas être négatif."
	case l.Min != nil && v < *l.Min && amount:
		return fmt.Sprintf("Le montant doit être d'au moins %s.", show(*l.Min))
	case l.Min != nil && v < *l.Min:
		return fmt.Sprintf("Le nombre doit être d'au moins %s.", show(*l.Min))
	case l.Max != nil && v > *l.Max:
		return fmt.Sprintf("%s ne peut pas dépasser %s.", what, show(*l.Max))
	}
	return ""
}

// explainDate checks min_days, max_days and weekdays; clock is the time of a datetime, "" for a date.
func (l Limits) explainDate(value, clock string, now time.Time) string {
	d, err := time.ParseInLocation("2006-01-02", value, now.Location())
	if err != nil {
		return ""
	}
	days := daysBetween(now, d)
	switch {
	case l.MinDays != nil && days < *l.MinDays && days < 0 && *l.MinDays == 0:
		return "Cette date est déjà passée."
	case l.MinDays != nil && days < *l.MinDays && days < 0:
		return "Cette date est déjà passée : la date doit être au plus tôt le " + dateAfter(now, *l.MinDays) + "."
	case l.MinDays != nil && days < *l.MinDays:
		return "La date doit être au plus tôt le " + dateAfter(now, *l.MinDays) + "."
	case l.MinDays != nil && *l.MinDays == 0 && days == 0 && clock != "" && clock < now.Format("15:04"):
		// "not in the past" also holds for the hour of today's appointment.
		return "Cette heure est déjà passée : choisissez une heure plus tard dans la journée ou un autre jour."
	case l.MaxDays != nil && days > *l.MaxDays:
		return "La date doit être au plus tard le " + dateAfter(now, *l.MaxDays) + "."
	}
	return l.explainWeekday(d.Weekday())
}

// explainWeekday checks weekdays.
func (l Limits) explainWeekday(day time.Weekday) string {
	allowed := allowedDays(l.Weekdays)
	if len(allowed) == 0 || slices.Contains(allowed, mondayFirst(day)) {
		return ""
	}
	return fmt.Sprintf("Le %s n'est pas possible : choisissez %s.", dayNames[mondayFirst(day)], daysList(allowed))
}

// explainHours checks the hours windows.
func (l Limits) explainHours(clock string) string {
	if len(l.Hours) == 0 || len(clock) != 5 {
		return ""
	}
	var spans []string
	for _, w := range sortedWindows(l.Hours) {
		if w[0] <= clock && clock <= w[1] {
			return ""
		}
		spans = append(spans, "entre "+FrenchTime(w[0])+" et "+FrenchTime(w[1]))
	}
	if len(spans) == 0 {
		return ""
	}
	return fmt.Sprintf("%s n'est pas possible : choisissez une heure %s.", FrenchTime(clock), orList(spans))
}

// daysBetween counts the calendar days from now's date to d's, in now's location.
func daysBetween(now, d time.Time) int {
	a := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	b := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours() / 24)
}

// mondayFirst numbers the days from Monday (0) to Sunday (6).
func mondayFirst(day time.Weekday) int {
	return (int(day) + 6) % 7
}

// allowedDays returns the indexes in dayNames of the named days, sorted, without duplicates.
func allowedDays(names []string) []int {
	var days []int
	for _, n := range names {
		if i := slices.Index(dayNames, plain(foldString(n))); i >= 0 && !slices.Contains(days, i) {
			days = append(days, i)
		}
	}
	sort.Ints(days)
	return days
}

// daysList writes the allowed days: "un jour du lundi au samedi" for a run of three days or more,
// else "le lundi, le mercredi ou le vendredi".
func daysList(days []int) string {
	if len(days) >= 3 && days[len(days)-1]-days[0] == len(days)-1 {
		return "un jour du " + dayNames[days[0]] + " au " + dayNames[days[len(days)-1]]
	}
	names := make([]string, len(days))
	for i, d := range days {
		names[i] = "le " + dayNames[d]
	}
	return orList(names)
}

// orList joins "a", "b" and "c" as "a, b ou c".
func orList(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " ou " + items[len(items)-1]
}

// sortedWindows returns the valid windows of hours as ["10:00", "18:30"] pairs, earliest first.
func sortedWindows(hours []string) [][2]string {
	var windows [][2]string
	for _, h := range hours {
		if w, ok := parseWindow(h); ok {
			windows = append(windows, w)
		}
	}
	sort.Slice(windows, func(i, j int) bool { return windows[i][0] < windows[j][0] })
	return windows
}

// parseWindow reads "10:00-18:30" (or "9:00-12:00") as ["10:00", "18:30"], start before end.
func parseWindow(h string) ([2]string, bool) {
	m := windowRe.FindStringSubmatch(h)
	if m == nil {
		return [2]string{}, false
	}
	w := [2]string{fmt.Sprintf("%02d:%s", atoi(m[1]), m[2]), fmt.Sprintf("%02d:%s", atoi(m[3]), m[4])}
	return w, w[0] < w[1]
}

// check reports, in French, a limit the slot's type does not use or that cannot be met.
func (l Limits) check(typ string) error {
	if err := l.checkTypes(typ); err != nil {
		return err
	}
	if l.Min != nil && l.Max != nil && *l.Min > *l.Max {
		return fmt.Errorf("« min » (%s) est plus grand que « max » (%s)", frenchNumber(*l.Min), frenchNumber(*l.Max))
	}
	if l.MinDays != nil && l.MaxDays != nil && *l.MinDays > *l.MaxDays {
		return fmt.Errorf("« min_days » (%d) est plus grand que « max_days » (%d)", *l.MinDays, *l.MaxDays)
	}
	for _, n := range l.Weekdays {
		if !slices.Contains(dayNames, plain(foldString(n))) {
			return fmt.Errorf("jour inconnu « %s » dans « weekdays » (jours possibles : %s)", n, strings.Join(dayNames, ", "))
		}
	}
	for _, h := range l.Hours {
		if !windowRe.MatchString(h) {
			return fmt.Errorf("plage horaire invalide « %s » dans « hours » : écrivez-la comme « 10:00-18:30 »", h)
		}
		if _, ok := parseWindow(h); !ok {
			return fmt.Errorf("plage horaire « %s » dans « hours » : le début doit précéder la fin", h)
		}
	}
	return nil
}

// checkTypes refuses the limits that do not apply to the slot's type.
func (l Limits) checkTypes(typ string) error {
	isAny := func(types ...string) bool { return slices.Contains(types, typ) }
	switch {
	case (l.Min != nil || l.Max != nil) && !isAny("amount", "number"):
		return fmt.Errorf("« min » et « max » ne servent qu'aux types « amount » et « number », pas au type « %s »", typ)
	case (l.MinDays != nil || l.MaxDays != nil || len(l.Weekdays) > 0) && !isAny("date", "datetime"):
		return fmt.Errorf("« min_days », « max_days » et « weekdays » ne servent qu'aux types « date » et « datetime », pas au type « %s »", typ)
	case len(l.Hours) > 0 && !isAny("time", "datetime"):
		return fmt.Errorf("« hours » ne sert qu'aux types « time » et « datetime », pas au type « %s »", typ)
	}
	return nil
}
