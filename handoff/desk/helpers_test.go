package desk_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/store/storetest"
)

var ctx = context.Background()

// open returns a Desk on a fresh store, with a clock that starts on 2030-01-02.
func open(t testing.TB) *desk.Desk {
	t.Helper()
	now := time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)
	return desk.New(storetest.Open(t), func() time.Time { return now })
}

// mustCustomer creates a customer named name with the other fields of f.
func mustCustomer(t testing.TB, d *desk.Desk, name string, f desk.CustomerFields) desk.Customer {
	t.Helper()
	f.Name = name
	c, err := d.CreateCustomer(ctx, f, "agent-1")
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return c
}

// fieldsOf returns the per-field messages of an invalid error, nil when there are none.
func fieldsOf(err error) map[string]string {
	if e, ok := errors.AsType[*apperr.Error](err); ok {
		return e.Fields
	}
	return nil
}

func wantCode(t testing.TB, err error, code apperr.Code) {
	t.Helper()
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("got %v (code %s), want code %s", err, got, code)
	}
}
