package conversation_test

import (
	"context"
	"testing"
	"time"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/store/storetest"
)

// TestOnACluster runs a conversation's life on a Redis Cluster of three masters: turns read
// and stored in one step (Peek, Exchange, the session under the conversation's hash tag), a
// retried key, a note, an attachment (its script, an append renewing it, read back), a live
// reader on another process woken by the pub/sub, and the erasure — and the conversations
// spread over the three masters.
func TestOnACluster(t *testing.T) {
	st := storetest.Cluster(t)
	ctx := context.Background()
	s := conversation.NewStore(st, conversation.Options{})
	other := conversation.NewStore(st, conversation.Options{}) // another process's
	hub := conversation.NewHub(other, nil, time.Minute)
	go hub.Run(ctx)
	t.Cleanup(func() { hub.Close() })

	c, err := s.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := hub.Subscribe(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	<-sub.C // confirmed
	state, err := s.Peek(ctx, c.ID, c.Token, "k1", sessionKey(c), true)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Exchange(ctx, c.ID, turn(state, c, "bonjour", "k1", "salut"))
	if err != nil || out.Answer[0].Seq != 2 {
		t.Fatalf("Exchange: %+v %v", out, err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second) // its safety poll is a minute away
	evs, err := sub.NextAfter(wctx, 0, "", 10)               // woken by the pub/sub, then reads
	cancel()
	if err != nil || len(evs) != 2 {
		t.Fatalf("the other process reads %+v %v, want the two events", evs, err)
	}
	if again, err := s.Exchange(ctx, c.ID, turn(state, c, "bonjour", "k1", "autre")); err != nil || !again.Replayed {
		t.Fatalf("a retried key: %+v %v, want its first turn", again, err)
	}
	if _, err := s.AddNote(ctx, c.ID, conversation.Note{AgentName: "Agent", Text: "rappeler"}); err != nil {
		t.Fatal(err)
	}
	a, err := s.PutAttachment(ctx, c.ID, "photo.png", []byte(png), conversation.AttachmentQuota{Files: 1, Bytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, c.ID, []conversation.Event{{Type: conversation.TypeAttachment, From: "customer", Attachment: &a}}, conversation.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, data, err := other.AttachmentContent(ctx, c.ID, a.ID); err != nil || got.Type != "image/png" || string(data) != png {
		t.Fatalf("the other process reads the file: %+v %v", got, err)
	}
	if e, err := s.Delete(ctx, c.ID); err != nil || e.Keys < 4 || e.Files != 1 {
		t.Fatalf("Delete: %+v %v, want its keys (meta, events, idempotency, rate or notes)", e, err)
	}
	if _, err := s.Peek(ctx, c.ID, c.Token, "", "", false); err == nil {
		t.Fatal("the erased conversation is still there")
	}

	masters := map[string]bool{}
	for range 30 {
		c, err := s.Create(ctx)
		if err != nil {
			t.Fatal(err)
		}
		slot, err := st.Client.ClusterKeySlot(ctx, "conv:{"+c.ID+"}").Result()
		if err != nil {
			t.Fatal(err)
		}
		masters[masterOf(slot)] = true
	}
	if len(masters) != 3 {
		t.Errorf("30 conversations fell on %d masters, want the three", len(masters))
	}
}

// masterOf names the master of slot in storetest.Cluster's split (three equal ranges).
func masterOf(slot int64) string {
	switch {
	case slot < 16384/3:
		return "first"
	case slot < 2*16384/3:
		return "second"
	}
	return "third"
}
