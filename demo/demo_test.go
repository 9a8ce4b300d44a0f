package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/demo"
	"github.com/relais/relais/dialog"
)

// next records whether the demo passed a call on.
type next struct{ called *bool }

func (n next) Call(context.Context, dialog.Call) (map[string]any, error) {
	*n.called = true
	return map[string]any{"status": "du vrai backend"}, nil
}

func TestDemoAnswers(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC) }
	env := func(k string) string {
		if k == "ORDER_API_URL" {
			return "https://commandes.example.fr"
		}
		return ""
	}
	tests := []struct {
		name     string
		call     dialog.Call
		field    string
		want     string
		passedOn bool
	}{
		{name: "order status without a backend", call: dialog.Call{Name: "order_status", Webhook: dialog.Webhook{URL: "${NO_SUCH_URL}/orders/status"}, Slots: map[string]string{"order_number": "CMD-48213"}}, field: "status", want: "décembre"},
		{name: "order status with a backend", call: dialog.Call{Name: "order_status", Webhook: dialog.Webhook{URL: "${ORDER_API_URL}/orders/status"}}, field: "status", want: "du vrai backend", passedOn: true},
		{name: "nearest shop in Lyon", call: dialog.Call{Name: "store_locator", Webhook: dialog.Webhook{URL: "${STORE_API_URL}/x"}, Slots: map[string]string{"postal_code": "69007"}}, field: "name", want: "Lyon"},
		{name: "nearest shop elsewhere", call: dialog.Call{Name: "store_locator", Webhook: dialog.Webhook{URL: "${STORE_API_URL}/x"}, Slots: map[string]string{"postal_code": "23000"}}, field: "address", want: "23000"},
		{name: "appointment", call: dialog.Call{Name: "appointment", Webhook: dialog.Webhook{URL: "${APPOINTMENT_API_URL}/x"}, Slots: map[string]string{"appointment_postal_code": "33000"}}, field: "reference", want: "RDV-"},
		{name: "another webhook", call: dialog.Call{Name: "crm", Webhook: dialog.Webhook{URL: "${CRM_URL}/x"}}, field: "status", want: "du vrai backend", passedOn: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := false
			c := demo.Caller{Next: next{&called}, Getenv: env, Now: now}
			got, err := c.Call(context.Background(), tt.call)
			if err != nil {
				t.Fatal(err)
			}
			if s, _ := got[tt.field].(string); !strings.Contains(s, tt.want) || called != tt.passedOn {
				t.Errorf("got %s = %q (passed on: %v), want it to contain %q (passed on: %v)", tt.field, s, called, tt.want, tt.passedOn)
			}
		})
	}
}
