package dialog_test

import (
	"context"
	"testing"
	"time"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/dialog"
	"github.com/relais/relais/store/storetest"
)

// TestHeldSessionSharesTheLock takes the session lock in the conversation's scripts, as the
// server does: while held, the engine's own Begin waits; Append saves the session and frees it.
func TestHeldSessionSharesTheLock(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	e := dialog.NewEngine(testBot(t), classifier, &dialog.RedisSessions{Store: st, TTL: time.Minute}, dialog.Options{})
	convs := conversation.NewStore(st, conversation.Options{})
	c, err := convs.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l, ok := e.SessionLock(c.ID)
	if !ok {
		t.Fatal("got no session lock, want one with Redis sessions")
	}
	lock := &conversation.Lock{Key: l.Key, DataKey: l.SessionKey, Token: l.Token, TTL: l.TTL}
	posted, err := convs.Post(ctx, c.ID, c.Token, "où en est ma commande", "k1", lock)
	if err != nil || !posted.Held || posted.Data != "" {
		t.Fatalf("Post: got held %v data %q (%v), want the lock and no session yet", posted.Held, posted.Data, err)
	}
	busy, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := e.Handle(busy, c.ID, "merci au revoir"); err == nil {
		t.Fatal("Handle ran while the server held the lock, want it to wait")
	}
	turn, session, err := e.HandleHeld(ctx, c.ID, posted.Message.Text, posted.Data)
	if err != nil || turn.Intent != "statut_commande" {
		t.Fatalf("HandleHeld: got %+v (%v), want statut_commande", turn, err)
	}
	release := &conversation.Release{Lock: *lock, Data: session, DataTTL: l.SessionTTL}
	if _, err := convs.Append(ctx, c.ID, []conversation.Event{conversation.Message("bot", "x", nil)},
		conversation.AppendOptions{IdempotencyKey: "k1", Release: release}); err != nil {
		t.Fatal(err)
	}
	s, err := e.Session(ctx, c.ID)
	if err != nil || s.Turns != 1 || s.Flow == nil {
		t.Fatalf("session after Append: got %+v (%v), want 1 turn in a flow", s, err)
	}
	if _, err := e.Handle(ctx, c.ID, "CMD-11111"); err != nil {
		t.Fatalf("Handle after the release: %v", err)
	}
}


