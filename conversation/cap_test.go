package conversation_test

import (
	"context"
	"errors"
	"testing"

	"github.com/relais/relais/conversation"
)

func TestTheCapEndsTheConversation(t *testing.T) {
	const maxEvents = 20
	tests := []struct {
		name  string
		write func(s *conversation.Store, c conversation.Conversation) error
	}{
		{name: "a customer message", write: func(s *conversation.Store, c conversation.Conversation) error {
			_, err := post(s, c, "encore", "")
			return err
		}},
		{name: "an answer", write: func(s *conversation.Store, c conversation.Conversation) error {
			_, err := s.Append(context.Background(), c.ID, []conversation.Event{conversation.Message("bot", "a", nil), conversation.Message("bot", "b", nil)}, conversation.AppendOptions{})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := open(t, conversation.Options{MaxEvents: maxEvents})
			ctx := context.Background()
			var err error
			for i := 0; err == nil && i < maxEvents; i++ {
				err = tt.write(s, c)
			}
			if !errors.Is(err, conversation.ErrFull) {
				t.Fatalf("got %v, want ErrFull", err)
			}
			evs, _ := s.Events(ctx, c.ID, 0, 0)
			if n := len(evs); n > maxEvents || n < maxEvents-2 {
				t.Fatalf("got %d events, want at most %d, and the cap nearly used", n, maxEvents)
			}
			n := len(evs)
			if evs[n-2].From != conversation.FromSystem || evs[n-1].Type != conversation.TypeClosed {
				t.Fatalf("got last events %+v, want a system message then closed", evs[n-2:])
			}
			if owner, _ := s.Owner(ctx, c.ID); owner != conversation.OwnerClosed {
				t.Fatalf("got owner %q, want closed", owner)
			}
			if _, err := post(s, c, "et après ?", ""); err == nil {
				t.Fatal("a message after the end was taken")
			}
			if evs2, _ := s.Events(ctx, c.ID, 0, 0); len(evs2) != n {
				t.Fatalf("got %d events after the end, want %d", len(evs2), n)
			}
		})
	}
}

func TestAClosingFitsUnderTheCap(t *testing.T) {
	const maxEvents = 20
	s, c := open(t, conversation.Options{MaxEvents: maxEvents})
	ctx := context.Background()
	for range maxEvents - 2 { // the last places before the two kept
		if _, err := s.Append(ctx, c.ID, []conversation.Event{conversation.Message("agent", "x", nil)}, conversation.AppendOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := s.Append(ctx, c.ID, []conversation.Event{{Type: conversation.TypeClosed}},
		conversation.AppendOptions{SetOwner: conversation.OwnerClosed})
	if err != nil || len(out) != 1 || out[0].Seq != maxEvents-1 {
		t.Fatalf("got %+v, %v; want the closing event at seq %d", out, err, maxEvents-1)
	}
}
