package handoff_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/handoff"
	"github.com/relais/relais/store/storetest"
)

// A member of the group that died with notices pending: another member takes them over after
// ClaimAfter and applies them once; a member that stops leaves the group when it has nothing
// pending, and a dead member's entry is removed once it holds nothing.
func TestConsumeTakesOverADeadMembersNoticesAndLeavesNoMemberBehind(t *testing.T) {
	st := storetest.Open(t)
	r := handoff.NewRouter(st, handoff.Options{})
	ctx := context.Background()
	stream := st.Key("{handoff}") + ":notices"
	const group = "g"
	if err := st.Client.XGroupCreateMkStream(ctx, stream, group, "$").Err(); err != nil {
		t.Fatal(err)
	}
	if err := r.Announce(ctx, handoff.NoticeMessages, "c1"); err != nil {
		t.Fatal(err)
	}
	// The dead member read the notice and never acknowledged it.
	if err := st.Client.XReadGroup(ctx, &redis.XReadGroupArgs{Group: group, Consumer: "dead",
		Streams: []string{stream, ">"}, Count: 10}).Err(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var applied []string
	cctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- r.Consume(cctx, handoff.ConsumeOptions{Group: group, ClaimAfter: 200 * time.Millisecond, Block: 50 * time.Millisecond},
			func(_ context.Context, ns []handoff.Notice) []string {
				mu.Lock()
				defer mu.Unlock()
				for _, n := range ns {
					applied = append(applied, n.ConversationID)
				}
				return nil
			})
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(applied)
		mu.Unlock()
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(applied) != 1 || applied[0] != "c1" {
		t.Fatalf("applied %q, want the dead member's notice once", applied)
	}
	pending, err := st.Client.XPending(ctx, stream, group).Result()
	if err != nil || pending.Count != 0 {
		t.Fatalf("pending after the takeover: %+v, %v; want none", pending, err)
	}
	members, err := st.Client.XInfoConsumers(ctx, stream, group).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if m.Name != "dead" { // idle for less than the ten minutes that make a member stale
			t.Errorf("member %s stayed in the group after it stopped", m.Name)
		}
	}
}
