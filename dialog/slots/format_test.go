package slots_test

import (
	"testing"

	"github.com/relais/relais/dialog/slots"
)

func TestFrenchFormats(t *testing.T) {
	tests := []struct {
		name string
		fn   func(string) string
		in   string
		want string
	}{
		{name: "date", fn: slots.FrenchDate, in: "2027-03-12", want: "12 mars 2027"},
		{name: "first of the month", fn: slots.FrenchDate, in: "2027-08-01", want: "1er août 2027"},
		{name: "not a date", fn: slots.FrenchDate, in: "demain", want: "demain"},
		{name: "time", fn: slots.FrenchTime, in: "14:30", want: "14 h 30"},
		{name: "full hour", fn: slots.FrenchTime, in: "09:00", want: "9 h"},
		{name: "amount", fn: slots.FrenchAmount, in: "39.99", want: "39,99 €"},
		{name: "not an amount", fn: slots.FrenchAmount, in: "beaucoup", want: "beaucoup"},
		{name: "thousands", fn: slots.FrenchAmount, in: "1200.50", want: "1 200,50 €"},
		{name: "negative amount", fn: slots.FrenchAmount, in: "-20.00", want: "-20,00 €"},
		{name: "weekday and date", fn: slots.FrenchWeekdayDate, in: "2026-12-03", want: "jeudi 3 décembre"},
		{name: "weekday, date and time", fn: slots.FrenchWeekdayDate, in: "2026-12-03 14:30", want: "jeudi 3 décembre à 14 h 30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.fn(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
