package dialog

import (
	"fmt"
	"strings"
	"text/template"
	"time"
)

// templateFuncs format slot values the French way in answers: {{date .jour}} → "12 mars
// 2027", {{heure .heure}} → "14 h 30", {{montant .somme}} → "39,99 €". A value that is not in
// the slot's stored format is shown as it is.
var templateFuncs = template.FuncMap{
	"date":    frenchDate,
	"heure":   frenchTime,
	"montant": frenchAmount,
}

var months = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

func frenchDate(v string) string {
	d, err := time.Parse("2006-01-02", v)
	if err != nil {
		return v
	}
	day := d.Format("2")
	if day == "1" {
		day = "1er"
	}
	return day + " " + months[d.Month()-1] + " " + d.Format("2006")
}

var weekdays = []string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}

// frenchWeekdayDate writes a stored date with its day, without the year: "jeudi 3 décembre".
func frenchWeekdayDate(v string) string {
	d, err := time.Parse("2006-01-02", v[:min(len(v), 10)])
	if err != nil {
		return v
	}
	day := d.Format("2")
	if day == "1" {
		day = "1er"
	}
	out := weekdays[d.Weekday()] + " " + day + " " + months[d.Month()-1]
	if len(v) > 10 {
		out += " à " + frenchTime(v[11:])
	}
	return out
}

func frenchTime(v string) string {
	t, err := time.Parse("15:04", v)
	if err != nil {
		return v
	}
	if t.Minute() == 0 {
		return fmt.Sprintf("%d h", t.Hour())
	}
	return fmt.Sprintf("%d h %02d", t.Hour(), t.Minute())
}

func frenchAmount(v string) string {
	if v == "" || strings.Trim(v, "0123456789.") != "" {
		return v
	}
	return strings.Replace(v, ".", ",", 1) + " €"
}
