package slots

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The French way of writing the values slots store, for the customer: the dialog templates
// ({{date .x}}, {{heure .x}}, {{montant .x}}) and the explanations of limits use the same.

// frenchMonths are the month names used to write a date for the customer.
var frenchMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
	"septembre", "octobre", "novembre", "décembre"}

// FrenchDate writes a stored date "2027-03-12" as "12 mars 2027" ("1er août 2027"); a value in
// another format is returned as it is.
func FrenchDate(v string) string {
	d, err := time.Parse("2006-01-02", v)
	if err != nil {
		return v
	}
	return dayMonth(d) + " " + strconv.Itoa(d.Year())
}

// FrenchWeekdayDate writes a stored date or date and time with its day and without the year:
// "jeudi 3 décembre", "jeudi 3 décembre à 14 h".
func FrenchWeekdayDate(v string) string {
	d, err := time.Parse("2006-01-02", v[:min(len(v), 10)])
	if err != nil {
		return v
	}
	out := dayNames[mondayFirst(d.Weekday())] + " " + dayMonth(d)
	if len(v) > 11 {
		out += " à " + FrenchTime(v[11:])
	}
	return out
}

// dayMonth writes "3 décembre", "1er mars".
func dayMonth(d time.Time) string {
	day := strconv.Itoa(d.Day())
	if day == "1" {
		day = "1er"
	}
	return day + " " + frenchMonths[d.Month()-1]
}

// dateAfter writes the date days after now's: "3 décembre 2026".
func dateAfter(now time.Time, days int) string {
	return FrenchDate(time.Date(now.Year(), now.Month(), now.Day()+days, 12, 0, 0, 0, now.Location()).Format("2006-01-02"))
}

// FrenchTime writes a stored time "14:30" as "14 h 30" and "10:00" as "10 h"; a value in
// another format is returned as it is.
func FrenchTime(clock string) string {
	t, err := time.Parse("15:04", clock)
	if err != nil {
		return clock
	}
	if t.Minute() == 0 {
		return fmt.Sprintf("%d h", t.Hour())
	}
	return fmt.Sprintf("%d h %02d", t.Hour(), t.Minute())
}

// FrenchAmount writes a stored amount "1200.50" as "1 200,50 €"; a value in another format is
// returned as it is.
func FrenchAmount(v string) string {
	f, err := strconv.ParseFloat(v, 64)
	if v == "" || strings.Trim(v, "-0123456789.") != "" || err != nil {
		return v
	}
	return frenchEuros(f)
}

// frenchEuros writes 1000 as "1 000,00 €".
func frenchEuros(v float64) string {
	cents := int64(math.Round(math.Abs(v) * 100))
	sign := ""
	if v < 0 && cents > 0 {
		sign = "-"
	}
	return fmt.Sprintf("%s%s,%02d €", sign, groupThousands(strconv.FormatInt(cents/100, 10)), cents%100)
}

// frenchNumber writes a number plainly, with a decimal comma: 3, 2,5, -1.
func frenchNumber(v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', -1, 64), ".", ",", 1)
}

// groupThousands puts a space between the groups of three digits: "1200" → "1 200".
func groupThousands(digits string) string {
	for i := len(digits) - 3; i > 0; i -= 3 {
		digits = digits[:i] + " " + digits[i:]
	}
	return digits
}
