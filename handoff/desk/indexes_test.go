package desk_test

import (
	"errors"
	"testing"
	"time"

	"github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/store/storetest"
)

// TestIndexEntriesGoWithTheirConversation: the task and conversation indexes lose an entry
// once its conversation's lifetime has passed without a change, instead of growing by one
// field per handoff for ever; the activity itself stays in the customer's history.
func TestIndexEntriesGoWithTheirConversation(t *testing.T) {
	st := storetest.Open(t)
	now := time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)
	d := desk.New(st, func() time.Time { return now }).WithIndexTTL(7 * 24 * time.Hour)
	old, err := d.Attach(ctx, desk.Taken{TaskID: "t1", ConversationID: "c1", AgentID: "agent-1"})
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(6 * 24 * time.Hour)
	if _, err := d.EndActivity(ctx, "t1", "agent-1"); err != nil { // a change: the entries are renewed
		t.Fatal(err)
	}
	now = now.Add(6 * 24 * time.Hour)
	if _, err := d.Attach(ctx, desk.Taken{TaskID: "t2", ConversationID: "c2", AgentID: "agent-1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.OfTask(ctx, "t1"); err != nil {
		t.Fatalf("task t1 changed 6 days ago: got %v, want its interaction", err)
	}
	now = now.Add(2 * 24 * time.Hour)
	if _, err := d.Attach(ctx, desk.Taken{TaskID: "t3", ConversationID: "c3", AgentID: "agent-1"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		get  func() (desk.Interaction, error)
		gone bool
	}{
		{name: "task of 8 days ago", get: func() (desk.Interaction, error) { return d.OfTask(ctx, "t1") }, gone: true},
		{name: "conversation of 8 days ago", get: func() (desk.Interaction, error) { return d.OfConversation(ctx, "c1") }, gone: true},
		{name: "task of 2 days ago", get: func() (desk.Interaction, error) { return d.OfTask(ctx, "t2") }},
		{name: "conversation of now", get: func() (desk.Interaction, error) { return d.OfConversation(ctx, "c3") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.get()
			if gone := errors.Is(err, desk.ErrNoInteraction); gone != tt.gone || err != nil && !gone {
				t.Fatalf("got %v, want gone=%v", err, tt.gone)
			}
		})
	}
	if a, err := d.Activity(ctx, old.Activity.ID); err != nil || a.ID != old.Activity.ID {
		t.Fatalf("the activity itself: got %+v %v, want it kept", a, err)
	}
	// Each entry is a key of its own that Redis expires at the end of its lifetime.
	for _, k := range []string{st.Key("task", "t2"), st.Key("conv", "c3", "latest")} {
		ttl, err := st.Client.TTL(ctx, k).Result()
		if err != nil || ttl <= 0 || ttl > 7*24*time.Hour {
			t.Fatalf("%s: TTL %v (%v), want at most 7 days", k, ttl, err)
		}
	}
}
