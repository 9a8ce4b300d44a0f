package conversation_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
)

// post stores a customer message nobody answers, as the relay does while an agent owns the
// conversation: the owner as read, any seq.
func post(s *conversation.Store, c conversation.Conversation, text, key string) (conversation.Exchanged, error) {
	ctx := context.Background()
	st, err := s.Peek(ctx, c.ID, c.Token, key, "", true)
	if err != nil {
		return conversation.Exchanged{}, err
	}
	return s.Exchange(ctx, c.ID, conversation.Exchange{Token: c.Token, Key: key, Text: text, Owner: st.Owner, Seq: -1})
}

// turn is a bot turn as the relay stores it: computed on the state read, the session saved.
func turn(st conversation.State, c conversation.Conversation, text, key, answer string) conversation.Exchange {
	return conversation.Exchange{Token: c.Token, Key: key, Text: text, Owner: st.Owner, Seq: st.Seq,
		Answer:  []conversation.Event{conversation.Message("bot", answer, nil)},
		DataKey: sessionKey(c), Data: []byte(answer), DataTTL: time.Minute}
}

func sessionKey(c conversation.Conversation) string { return "test:session:{" + c.ID + "}" }

func TestExchangeStoresTheTurnAndItsSession(t *testing.T) {
	s, c := open(t, conversation.Options{})
	ctx := context.Background()
	st, err := s.Peek(ctx, c.ID, c.Token, "k1", sessionKey(c), true)
	if err != nil || st.Owner != conversation.OwnerBot || st.Seq != 0 || st.Data != "" || st.Done {
		t.Fatalf("Peek of a new conversation: got %+v (%v)", st, err)
	}
	out, err := s.Exchange(ctx, c.ID, turn(st, c, "bonjour", "k1", "salut"))
	if err != nil || out.Replayed || out.Message.Seq != 1 || out.Message.Text != "bonjour" ||
		len(out.Answer) != 1 || out.Answer[0].Seq != 2 || out.Answer[0].ID == "" {
		t.Fatalf("Exchange: got %+v (%v), want the message 1 and the answer 2", out, err)
	}
	st, err = s.Peek(ctx, c.ID, c.Token, "", sessionKey(c), true)
	if err != nil || st.Seq != 2 || st.Data != "salut" {
		t.Fatalf("Peek after the turn: got %+v (%v), want seq 2 and the session saved", st, err)
	}
	evs, _ := s.Events(ctx, c.ID, 0, 0)
	if len(evs) != 2 || evs[1].ID != out.Answer[0].ID {
		t.Fatalf("events: got %+v, want the two stored", evs)
	}
}

func TestARetriedKeyReplaysItsFirstTurn(t *testing.T) {
	s, c := open(t, conversation.Options{})
	ctx := context.Background()
	st, _ := s.Peek(ctx, c.ID, c.Token, "k1", sessionKey(c), true)
	first, err := s.Exchange(ctx, c.ID, turn(st, c, "bonjour", "k1", "salut"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Peek(ctx, c.ID, c.Token, "k1", sessionKey(c), true)
	if err != nil || !again.Done {
		t.Fatalf("Peek of a used key: got %+v (%v), want Done", again, err)
	}
	// Even a turn computed on the old state replays: the key's first turn wins.
	replay, err := s.Exchange(ctx, c.ID, turn(st, c, "bonjour", "k1", "autre réponse"))
	if err != nil || !replay.Replayed || replay.Message.Seq != 1 || len(replay.Answer) != 1 ||
		replay.Answer[0].Text != "salut" || !replay.Answer[0].At.Equal(first.Answer[0].At) {
		t.Fatalf("retry: got %+v (%v), want the first answer %+v", replay, err, first.Answer)
	}
	if evs, _ := s.Events(ctx, c.ID, 0, 0); len(evs) != 2 {
		t.Fatalf("got %d events, want 2", len(evs))
	}
}

func TestAStaleTurnStoresNothing(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *conversation.Store, c conversation.Conversation) error
	}{
		{name: "another turn stored first", change: func(s *conversation.Store, c conversation.Conversation) error {
			st, _ := s.Peek(context.Background(), c.ID, c.Token, "", sessionKey(c), true)
			_, err := s.Exchange(context.Background(), c.ID, turn(st, c, "premier", "", "réponse au premier"))
			return err
		}},
		{name: "an agent took over", change: func(s *conversation.Store, c conversation.Conversation) error {
			_, err := s.Append(context.Background(), c.ID, nil, conversation.AppendOptions{SetOwner: conversation.OwnerAgent})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := open(t, conversation.Options{})
			ctx := context.Background()
			st, _ := s.Peek(ctx, c.ID, c.Token, "k2", sessionKey(c), true)
			if err := tt.change(s, c); err != nil {
				t.Fatal(err)
			}
			before, _ := s.Events(ctx, c.ID, 0, 0)
			if _, err := s.Exchange(ctx, c.ID, turn(st, c, "second", "k2", "réponse périmée")); !errors.Is(err, conversation.ErrStale) {
				t.Fatalf("got %v, want ErrStale", err)
			}
			after, _ := s.Events(ctx, c.ID, 0, 0)
			if again, _ := s.Peek(ctx, c.ID, c.Token, "k2", sessionKey(c), true); len(after) != len(before) || again.Done || again.Data == "réponse périmée" {
				t.Fatalf("a stale turn left %d events (had %d), key done %v, session %q", len(after), len(before), again.Done, again.Data)
			}
		})
	}
}

func TestPeekAndExchangeCheckTheToken(t *testing.T) {
	s, c := open(t, conversation.Options{})
	other, _ := s.Create(context.Background())
	tests := []struct {
		name, id, token string
		want            apperr.Code
	}{
		{name: "foreign token", id: c.ID, token: other.Token, want: apperr.Forbidden},
		{name: "no token", id: c.ID, token: "", want: apperr.Unauthorized},
		{name: "unknown conversation", id: "AAAAAAAAAAAAAAAAAAAAAA", token: c.Token, want: apperr.NotFound},
		{name: "malformed id", id: "../x", token: c.Token, want: apperr.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if _, err := s.Peek(ctx, tt.id, tt.token, "", "", true); apperr.CodeOf(err) != tt.want {
				t.Errorf("Peek: got %v, want %s", err, tt.want)
			}
			if _, err := s.Authorize(ctx, tt.id, tt.token); apperr.CodeOf(err) != tt.want {
				t.Errorf("Authorize: got %v, want %s", err, tt.want)
			}
			if tt.token == "" || !conversation.ValidID(tt.id) {
				return
			}
			x := conversation.Exchange{Token: tt.token, Text: "x", Owner: conversation.OwnerBot, Seq: -1}
			if _, err := s.Exchange(ctx, tt.id, x); apperr.CodeOf(err) != tt.want {
				t.Errorf("Exchange: got %v, want %s", err, tt.want)
			}
		})
	}
}

func TestRateLimitPerConversation(t *testing.T) {
	s, c := open(t, conversation.Options{MessagesPerWindow: 2, RateWindow: time.Minute})
	ctx := context.Background()
	st, _ := s.Peek(ctx, c.ID, c.Token, "", "", true)
	for i := range 2 {
		if _, err := post(s, c, "x", ""); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	var e *apperr.Error
	if _, err := post(s, c, "x", ""); !errors.As(err, &e) || e.Code != apperr.TooMany || e.RetryAfter <= 0 {
		t.Fatalf("third message, at Peek: got %v, want too_many with a retry delay", err)
	}
	// A turn computed before the limit was reached is refused when it is stored.
	x := conversation.Exchange{Token: c.Token, Text: "x", Owner: st.Owner, Seq: -1}
	if _, err := s.Exchange(ctx, c.ID, x); !errors.As(err, &e) || e.Code != apperr.TooMany {
		t.Fatalf("third message, at Exchange: got %v, want too_many", err)
	}
}

func TestQueuedConversationStoresWithoutAnswer(t *testing.T) {
	s, c := open(t, conversation.Options{})
	ctx := context.Background()
	if _, err := s.Append(ctx, c.ID, []conversation.Event{conversation.Message("system", "file", nil)},
		conversation.AppendOptions{SetOwner: conversation.OwnerQueued}); err != nil {
		t.Fatal(err)
	}
	p, err := post(s, c, "allo ?", "k")
	if err != nil || p.Message.Seq != 2 || len(p.Answer) != 0 {
		t.Fatalf("post while queued: got %+v, %v; want stored, no answer", p, err)
	}
	again, err := post(s, c, "allo ?", "k")
	if err != nil || !again.Replayed || again.Message.Seq != 2 || len(again.Answer) != 0 {
		t.Fatalf("retry while queued: got %+v, %v", again, err)
	}
}

func TestAClosedConversationTakesNoMessage(t *testing.T) {
	s, c := open(t, conversation.Options{})
	ctx := context.Background()
	if _, err := s.Append(ctx, c.ID, []conversation.Event{{Type: conversation.TypeClosed}},
		conversation.AppendOptions{SetOwner: conversation.OwnerClosed}); err != nil {
		t.Fatal(err)
	}
	if _, err := post(s, c, "encore là ?", ""); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("got %v, want conflict", err)
	}
	x := conversation.Exchange{Token: c.Token, Text: "x", Owner: conversation.OwnerBot, Seq: -1}
	if _, err := s.Exchange(ctx, c.ID, x); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("Exchange: got %v, want conflict", err)
	}
}

// TestBeforeReadsAPageBackwards: the last events before a seq, in order, without reading what
// comes before them; from the end with 0, nothing before the first.
func TestBeforeReadsAPageBackwards(t *testing.T) {
	s, c := open(t, conversation.Options{})
	ctx := context.Background()
	for _, text := range []string{"un", "deux", "trois", "quatre", "cinq"} {
		if _, err := post(s, c, text, ""); err != nil {
			t.Fatal(err)
		}
	}
	seqs := func(before int64, limit int) []int64 {
		evs, err := s.Before(ctx, c.ID, before, limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, ev := range evs {
			out = append(out, ev.Seq)
		}
		return out
	}
	for _, tt := range []struct {
		before int64
		limit  int
		want   string
	}{{0, 2, "[4 5]"}, {4, 2, "[2 3]"}, {3, 10, "[1 2]"}, {1, 5, "[]"}, {0, 10, "[1 2 3 4 5]"}} {
		if got := fmt.Sprint(seqs(tt.before, tt.limit)); got != tt.want {
			t.Errorf("Before(%d, %d): got %s, want %s", tt.before, tt.limit, got, tt.want)
		}
	}
}
