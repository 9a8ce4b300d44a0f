package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/relais/relais/store/storetest"
)

// TestAHandoffLeavesNoEndlessKeyOfItsConversation: once a conversation has been handed to an
// agent and closed, every key named after the conversation or its task (its events, the
// routing's task, the desk's pointers from the task and the conversation to the interaction)
// expires: within the conversation's lifetime (3 h here), or the day a closed task stays
// readable by the routing (handoff.Options.TaskTTL); none grows for ever with the handoffs.
// The interaction's records themselves are history, kept by the retention rules.
func TestAHandoffLeavesNoEndlessKeyOfItsConversation(t *testing.T) {
	st := storetest.Open(t)
	cfg := testConfig()
	cfg.ConversationTTL = 3 * time.Hour
	d := startDesk(t, st, cfg)
	dk := d.openDesk(t, d.session(t, d.addAgent(t, "alice").ID))
	dk.setReady(t)
	c := d.open(t)
	assigned := d.takeOver(t, dk, c)
	d.say(t, c, "merci")
	dk.send(t, map[string]string{"type": "close", "conversation_id": c.ID})
	dk.await(t, "released", isType("released"))

	ctx := context.Background()
	within := max(cfg.ConversationTTL, 24*time.Hour)
	var checked []string
	for _, id := range []string{c.ID, assigned.Task.ID} {
		keys, err := st.Client.Keys(ctx, "*"+id+"*").Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			ttl, err := st.Client.TTL(ctx, k).Result()
			if err != nil {
				t.Fatal(err)
			}
			checked = append(checked, k)
			if ttl <= 0 || ttl > within {
				t.Errorf("%s: TTL %v, want it to expire within %v", k, ttl, within)
			}
		}
	}
	if len(checked) < 3 {
		t.Fatalf("%d keys named after the conversation and its task, want its events, its task and the desk's pointers", len(checked))
	}
	t.Logf("keys of the conversation and its task, each expiring within %v: %v", within, checked)
}
