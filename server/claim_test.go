package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/store/storetest"
)

// TestNoticesLeftByADeadInstanceAreApplied: an instance read the routing notices from the
// consumer group and died before applying them; a live instance takes them over, and the
// customer is told once that the agent joined.
func TestNoticesLeftByADeadInstanceAreApplied(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	stream := st.Key("{handoff}") + ":notices"
	if err := st.Client.XGroupCreateMkStream(ctx, stream, "relais-conversations", "$").Err(); err != nil {
		t.Fatal(err)
	}
	convs := conversation.NewStore(st, conversation.Options{})
	c, err := convs.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = convs.Append(ctx, c.ID, []conversation.Event{conversation.Message(conversation.FromSystem, "en attente", nil)},
		conversation.AppendOptions{SetOwner: conversation.OwnerQueued})
	if err != nil {
		t.Fatal(err)
	}
	router := handoff.NewRouter(st, handoff.Options{})
	accounts := handoff.NewAccounts(st, handoff.AccountOptions{Cost: 10})
	a, err := accounts.Add(ctx, handoff.NewAgent{Login: "alice", Name: "Alice", Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(router.Connect(ctx, a.ID, "socket"))
	must(router.SetState(ctx, a.ID, handoff.StateReady))
	task, _, err := router.Enqueue(ctx, handoff.NewTask{ConversationID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = router.Accept(ctx, a.ID, task.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The dead instance: it took every notice and acknowledged none.
	res, err := st.Client.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "relais-conversations", Consumer: "morte",
		Streams: []string{stream, ">"}, Count: 100, Block: -1}).Result()
	if err != nil || len(res) == 0 || len(res[0].Messages) == 0 {
		t.Fatalf("dead consumer read: got %v %v, want the notices", res, err)
	}

	cfg := testConfig()
	cfg.NoticeClaim = 200 * time.Millisecond
	d := startDesk(t, st, cfg)
	cust := created{ID: c.ID, Token: c.Token}
	ws := d.dial(t, cust, "0")
	joined := awaitEvent(t, ws, "agent_joined", func(ev conversation.Event) bool { return ev.Type == conversation.TypeAgentJoined })
	if joined.Agent != "Alice" {
		t.Errorf("agent_joined: got %q, want Alice", joined.Agent)
	}
	must(router.Close(ctx, a.ID, c.ID)) // a later notice, through the live instance
	awaitEvent(t, ws, "closed", func(ev conversation.Event) bool { return ev.Type == conversation.TypeClosed })
	events := d.events(t, cust, "0")
	if n := count(events, conversation.TypeAgentJoined); n != 1 {
		t.Fatalf("got %d agent_joined events, want 1: %+v", n, events)
	}
}
