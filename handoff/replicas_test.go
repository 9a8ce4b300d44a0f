package handoff_test

import (
	"context"
	"testing"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

// TestRoutingWritesWaitForTheReplicas: with a replica required and none there (the test's
// Redis has none), a routing write is not acknowledged (503), so that an offer or a claim a
// failover would undo is never reported done; without the requirement it is.
func TestRoutingWritesWaitForTheReplicas(t *testing.T) {
	st, ctx := storetest.Open(t), context.Background()
	waiting := handoff.NewRouter(st, handoff.Options{Replicas: store.Replicas{MinReplicas: 1, Timeout: 50 * time.Millisecond}})
	if _, _, err := waiting.Enqueue(ctx, handoff.NewTask{ConversationID: "conv-replicas-1"}); apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("with a replica required and none: got %v, want unavailable", err)
	}
	if _, _, err := handoff.NewRouter(st, handoff.Options{}).Enqueue(ctx, handoff.NewTask{ConversationID: "conv-replicas-2"}); err != nil {
		t.Fatalf("without: %v", err)
	}
}
