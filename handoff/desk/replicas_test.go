package desk_test

import (
	"context"
	"testing"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

// TestWritesWaitForTheReplicas: with a replica required and none there (the test's Redis has
// none), a desk write is not acknowledged: 503, so that a record a failover would lose is never
// reported saved; without the requirement the same write succeeds.
func TestWritesWaitForTheReplicas(t *testing.T) {
	st, ctx := storetest.Open(t), context.Background()
	f := desk.CustomerFields{Name: "Inès Martin", Email: "ines.martin@example.fr"}
	waiting := desk.New(st, nil).WithReplicas(store.Replicas{MinReplicas: 1, Timeout: 50 * time.Millisecond})
	if _, err := waiting.CreateCustomer(ctx, f, "agent-1"); apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("with a replica required and none: got %v, want unavailable", err)
	}
	f.Email = "ines.martin2@example.fr"
	if _, err := desk.New(st, nil).CreateCustomer(ctx, f, "agent-1"); err != nil {
		t.Fatalf("without: %v", err)
	}
}
