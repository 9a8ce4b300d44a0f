package dialog

import "testing"

func TestFrenchFormats(t *testing.T) {
	tests := []struct {
		name string
		fn   func(string) string
		in   string
		want string
	}{
		{name: "date", fn: frenchDate, in: "2027-03-12", want: "12 mars 2027"},
		{name: "first of the month", fn: frenchDate, in: "2027-08-01", want: "1er août 2027"},
		{name: "not a date", fn: frenchDate, in: "demain", want: "demain"},
		{name: "time", fn: frenchTime, in: "14:30", want: "14 h 30"},
		{name: "full hour", fn: frenchTime, in: "09:00", want: "9 h"},
		{name: "amount", fn: frenchAmount, in: "39.99", want: "39,99 €"},
		{name: "not an amount", fn: frenchAmount, in: "beaucoup", want: "beaucoup"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.fn(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
