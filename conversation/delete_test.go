package conversation_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

// TestDeleteErasesEveryKeyOfTheConversation stores a turn with an idempotency key under a
// rate limit and a note, as the server does, then deletes the conversation: none of its keys
// is left, it answers not found, and the other conversation keeps everything.
func TestDeleteErasesEveryKeyOfTheConversation(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	s := conversation.NewStore(st, conversation.Options{MessagesPerWindow: 10})
	var convs [2]conversation.Conversation
	for i := range convs {
		c, err := s.Create(ctx)
		if err != nil {
			t.Fatal(err)
		}
		convs[i] = c
		if _, err := s.Exchange(ctx, c.ID, conversation.Exchange{Token: c.Token, Key: "k1", Text: "je suis Léa Petit",
			Owner: conversation.OwnerBot, Seq: -1, Answer: []conversation.Event{conversation.Message("bot", "Bonjour Léa", nil)}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddNote(ctx, c.ID, conversation.Note{AgentID: "a1", Text: "cliente fidèle"}); err != nil {
			t.Fatal(err)
		}
	}
	gone, kept := convs[0], convs[1]
	before := keysOf(t, ctx, st, gone.ID)
	if len(before) < 4 { // meta, events, idem, rate, notes
		t.Fatalf("the set-up made %d keys: %v", len(before), before)
	}
	e, err := s.Delete(ctx, gone.ID)
	if err != nil {
		t.Fatal(err)
	}
	if e.Keys != len(before) || e.Events != 2 || e.Notes != 1 {
		t.Errorf("deleted %+v, want %d keys, 2 events, 1 note", e, len(before))
	}
	if left := keysOf(t, ctx, st, gone.ID); len(left) > 0 {
		t.Errorf("left: %v", left)
	}
	if _, err := s.Authorize(ctx, gone.ID, gone.Token); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("Authorize after Delete: %v", err)
	}
	if _, err := s.Notes(ctx, gone.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("Notes after Delete: %v", err)
	}
	if again, err := s.Delete(ctx, gone.ID); err != nil || again != (conversation.Erased{}) {
		t.Errorf("second Delete: %+v, %v", again, err)
	}
	if ev, err := s.Events(ctx, kept.ID, 0, 0); err != nil || len(ev) != 2 {
		t.Errorf("the other conversation: %d events, %v", len(ev), err)
	}
}

// keysOf returns the keys of the test's prefix that hold id, from every master on a Redis
// Cluster.
func keysOf(t *testing.T, ctx context.Context, st *store.Store, id string) []string {
	t.Helper()
	var out []string
	var mu sync.Mutex
	each := func(ctx context.Context, c *redis.Client) error {
		it := c.Scan(ctx, 0, st.Prefix+"*", 1000).Iterator()
		for it.Next(ctx) {
			if strings.Contains(it.Val(), id) {
				mu.Lock()
				out = append(out, it.Val())
				mu.Unlock()
			}
		}
		return it.Err()
	}
	var err error
	switch c := st.Client.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, each)
	case *redis.Client:
		err = each(ctx, c)
	default:
		t.Fatalf("store client %T", c)
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}
