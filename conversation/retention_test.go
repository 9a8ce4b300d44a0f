package conversation_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/store/storetest"
)

// TestEveryKeyOfAConversationExpiresWithIt: a conversation with a transcript, a note and an
// attachment keeps each of its keys (metadata, events, notes, the files' descriptions and
// contents) for the conversation's TTL, and a later event renews them all; only the
// idempotency records and the rate, which hold no personal data, keep their own shorter lives.
func TestEveryKeyOfAConversationExpiresWithIt(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	const ttl = 5 * time.Hour
	s := conversation.NewStore(st, conversation.Options{TTL: ttl, IdempotencyTTL: time.Hour, MessagesPerWindow: 10})
	c, err := s.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Exchange(ctx, c.ID, conversation.Exchange{Token: c.Token, Key: "k1", Text: "je suis Léa Petit",
		Owner: conversation.OwnerBot, Seq: -1, Answer: []conversation.Event{conversation.Message("bot", "Bonjour Léa", nil)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddNote(ctx, c.ID, conversation.Note{AgentID: "a1", Text: "cliente fidèle"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutAttachment(ctx, c.ID, "photo.png", []byte(png), conversation.AttachmentQuota{Files: 1, Bytes: 100}); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		withIt := 0
		for _, k := range keysOf(t, ctx, st, c.ID) {
			left := st.Client.PTTL(ctx, k).Val()
			own := strings.Contains(k, ":idem:") || strings.HasSuffix(k, ":rate")
			switch {
			case own && (left <= 0 || left > time.Hour):
				t.Errorf("%s: %s lives %s, want at most its own hour", when, k, left)
			case !own && (left <= ttl-time.Minute || left > ttl):
				t.Errorf("%s: %s lives %s, want the conversation's %s", when, k, left, ttl)
			case !own:
				withIt++
			}
		}
		if withIt < 5 { // metadata, events, notes, files, files:data
			t.Errorf("%s: %d keys follow the conversation, want at least 5", when, withIt)
		}
	}
	check("created")
	for _, k := range keysOf(t, ctx, st, c.ID) {
		if !strings.Contains(k, ":idem:") && !strings.HasSuffix(k, ":rate") {
			st.Client.PExpire(ctx, k, 2*time.Hour) // as if hours had passed
		}
	}
	if _, err := s.Append(ctx, c.ID, []conversation.Event{conversation.Message("agent", "Je regarde.", nil)}, conversation.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
	check("after a later event")
}
