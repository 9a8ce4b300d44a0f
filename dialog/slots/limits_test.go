package slots_test

import (
	"testing"
	"time"

	"github.com/relais/relais/dialog/slots"
)

func float(v float64) *float64 { return &v }
func days(n int) *int          { return &n }

func TestExplain(t *testing.T) {
	amount, number := slots.Spec{Type: "amount"}, slots.Spec{Type: "number"}
	date, clock, datetime := slots.Spec{Type: "date"}, slots.Spec{Type: "time"}, slots.Spec{Type: "datetime"}
	euros := slots.Limits{Min: float(1), Max: float(1000)}
	workDays := slots.Limits{Weekdays: []string{"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}}
	shop := slots.Limits{Hours: []string{"10:00-18:30"}}
	lateNight := time.Date(2027, time.March, 10, 23, 30, 0, 0, time.FixedZone("Paris", 3600))
	tests := []struct {
		name   string
		spec   slots.Spec
		limits slots.Limits
		value  string
		now    time.Time
		want   string
	}{
		{"amount within", amount, euros, "49.99", now, ""},
		{"amount at the bounds", amount, euros, "1000.00", now, ""},
		{"amount too small", amount, euros, "0.50", now, "Le montant doit être d'au moins 1,00 €."},
		{"amount too large", amount, euros, "1200.00", now, "Le montant ne peut pas dépasser 1 000,00 €."},
		{"negative amount", amount, euros, "-20.00", now, "Le montant doit être positif, d'au moins 1,00 €."},
		{"negative amount, min zero", amount, slots.Limits{Min: float(0)}, "-20.00", now, "Le montant ne peut pas être négatif."},
		{"negative amount allowed", amount, slots.Limits{Min: float(-50)}, "-20.00", now, ""},
		{"large maximum", amount, slots.Limits{Max: float(1234567.5)}, "2000000.00", now, "Le montant ne peut pas dépasser 1 234 567,50 €."},
		{"number too small", number, slots.Limits{Min: float(1), Max: float(10)}, "0", now, "Le nombre doit être d'au moins 1."},
		{"number too large", number, slots.Limits{Min: float(1), Max: float(10)}, "12", now, "Le nombre ne peut pas dépasser 10."},
		{"decimal maximum", number, slots.Limits{Max: float(2.5)}, "3", now, "Le nombre ne peut pas dépasser 2,5."},
		{"no limits", number, slots.Limits{}, "3", now, ""},
		{"today not in the past", date, slots.Limits{MinDays: days(0)}, "2027-03-10", now, ""},
		{"yesterday", date, slots.Limits{MinDays: days(0)}, "2027-03-09", now, "Cette date est déjà passée."},
		{"too soon", date, slots.Limits{MinDays: days(2)}, "2027-03-11", now, "La date doit être au plus tôt le 12 mars 2027."},
		{"past with a delay", date, slots.Limits{MinDays: days(2)}, "2027-03-01", now, "Cette date est déjà passée : la date doit être au plus tôt le 12 mars 2027."},
		{"too late", date, slots.Limits{MaxDays: days(7)}, "2027-03-18", now, "La date doit être au plus tard le 17 mars 2027."},
		{"first of the month", date, slots.Limits{MaxDays: days(22)}, "2027-04-02", now, "La date doit être au plus tard le 1er avril 2027."},
		{"last day allowed", date, slots.Limits{MaxDays: days(7)}, "2027-03-17", now, ""},
		{"calendar days in now's location", date, slots.Limits{MinDays: days(0)}, "2027-03-10", lateNight, ""},
		{"sunday refused", date, workDays, "2027-03-14", now, "Le dimanche n'est pas possible : choisissez un jour du lundi au samedi."},
		{"saturday allowed", date, workDays, "2027-03-13", now, ""},
		{"days listed", date, slots.Limits{Weekdays: []string{"vendredi", "lundi", "Mercredi"}}, "2027-03-11", now,
			"Le jeudi n'est pas possible : choisissez le lundi, le mercredi ou le vendredi."},
		{"one day", date, slots.Limits{Weekdays: []string{"Samedi"}}, "2027-03-10", now, "Le mercredi n'est pas possible : choisissez le samedi."},
		{"time outside", clock, shop, "21:00", now, "21 h n'est pas possible : choisissez une heure entre 10 h et 18 h 30."},
		{"time at the end", clock, shop, "18:30", now, ""},
		{"time at the start", clock, shop, "10:00", now, ""},
		{"time with minutes", clock, shop, "09:45", now, "9 h 45 n'est pas possible : choisissez une heure entre 10 h et 18 h 30."},
		{"two windows", clock, slots.Limits{Hours: []string{"14:00-18:00", "9:00-12:00"}}, "13:00", now,
			"13 h n'est pas possible : choisissez une heure entre 9 h et 12 h ou entre 14 h et 18 h."},
		{"datetime within", datetime, slots.Limits{MinDays: days(0), Hours: []string{"10:00-18:30"}}, "2027-03-11 14:30", now, ""},
		{"datetime hour", datetime, slots.Limits{MinDays: days(0), Hours: []string{"10:00-18:30"}}, "2027-03-11 21:00", now,
			"21 h n'est pas possible : choisissez une heure entre 10 h et 18 h 30."},
		{"datetime past day", datetime, slots.Limits{MinDays: days(0)}, "2027-03-09 14:00", now, "Cette date est déjà passée."},
		{"datetime earlier today", datetime, slots.Limits{MinDays: days(0)}, "2027-03-10 08:00", now,
			"Cette heure est déjà passée : choisissez une heure plus tard dans la journée ou un autre jour."},
		{"datetime later today", datetime, slots.Limits{MinDays: days(0)}, "2027-03-10 10:00", now, ""},
		{"datetime weekday", datetime, workDays, "2027-03-14 10:00", now, "Le dimanche n'est pas possible : choisissez un jour du lundi au samedi."},
		{"unreadable value", date, slots.Limits{MinDays: days(0)}, "demain", now, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.limits.Explain(tc.spec, tc.value, tc.now); got != tc.want {
				t.Errorf("Explain(%s, %q) = %q, want %q", tc.spec.Type, tc.value, got, tc.want)
			}
		})
	}
}

func TestLimitsEmpty(t *testing.T) {
	tests := []struct {
		name   string
		limits slots.Limits
		want   bool
	}{
		{"none", slots.Limits{}, true},
		{"empty lists", slots.Limits{Weekdays: []string{}, Hours: []string{}}, true},
		{"min", slots.Limits{Min: float(0)}, false},
		{"max_days", slots.Limits{MaxDays: days(0)}, false},
		{"weekdays", slots.Limits{Weekdays: []string{"lundi"}}, false},
		{"hours", slots.Limits{Hours: []string{"10:00-12:00"}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.limits.Empty(); got != tc.want {
				t.Errorf("Empty() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCheckLimits(t *testing.T) {
	tests := []struct {
		name    string
		spec    slots.Spec
		wantErr bool
	}{
		{"amount bounds", slots.Spec{Type: "amount", Limits: slots.Limits{Min: float(1), Max: float(1000)}}, false},
		{"number equal bounds", slots.Spec{Type: "number", Limits: slots.Limits{Min: float(2), Max: float(2)}}, false},
		{"datetime everything", slots.Spec{Type: "datetime", Limits: slots.Limits{MinDays: days(0), MaxDays: days(30),
			Weekdays: []string{"Lundi", "mardi"}, Hours: []string{"9:00-12:00", "14:00-18:30"}}}, false},
		{"time hours", slots.Spec{Type: "time", Limits: slots.Limits{Hours: []string{"10:00-18:30"}}}, false},
		{"min on a date", slots.Spec{Type: "date", Limits: slots.Limits{Min: float(1)}}, true},
		{"max on a text", slots.Spec{Type: "text", Limits: slots.Limits{Max: float(1)}}, true},
		{"min_days on an amount", slots.Spec{Type: "amount", Limits: slots.Limits{MinDays: days(0)}}, true},
		{"weekdays on a time", slots.Spec{Type: "time", Limits: slots.Limits{Weekdays: []string{"lundi"}}}, true},
		{"hours on a date", slots.Spec{Type: "date", Limits: slots.Limits{Hours: []string{"10:00-18:00"}}}, true},
		{"min above max", slots.Spec{Type: "amount", Limits: slots.Limits{Min: float(10), Max: float(5)}}, true},
		{"min_days above max_days", slots.Spec{Type: "date", Limits: slots.Limits{MinDays: days(10), MaxDays: days(5)}}, true},
		{"unknown day", slots.Spec{Type: "date", Limits: slots.Limits{Weekdays: []string{"lundy"}}}, true},
		{"malformed window", slots.Spec{Type: "time", Limits: slots.Limits{Hours: []string{"10h-18h"}}}, true},
		{"window without end", slots.Spec{Type: "time", Limits: slots.Limits{Hours: []string{"10:00"}}}, true},
		{"window backwards", slots.Spec{Type: "time", Limits: slots.Limits{Hours: []string{"18:00-10:00"}}}, true},
		{"empty window", slots.Spec{Type: "time", Limits: slots.Limits{Hours: []string{"10:00-10:00"}}}, true},
		{"impossible hour", slots.Spec{Type: "time", Limits: slots.Limits{Hours: []string{"10:00-25:00"}}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := slots.Check(tc.spec)
			if (err != nil) != tc.wantErr {
				t.Errorf("Check(%+v) = %v, want error: %v", tc.spec, err, tc.wantErr)
			}
		})
	}
}
