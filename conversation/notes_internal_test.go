package conversation

import (
	"context"
	"testing"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/store/storetest"
)

// Notes live as long as their conversation and are not read once it is gone.
func TestNotesGoWithTheConversation(t *testing.T) {
	ctx := context.Background()
	s := NewStore(storetest.Open(t), Options{})
	c, err := s.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddNote(ctx, c.ID, Note{AgentName: "Camille", Text: "rappeler demain"}); err != nil {
		t.Fatal(err)
	}
	cl := s.st.Client
	meta, notes := cl.PTTL(ctx, s.metaKey(c.ID)).Val(), cl.PTTL(ctx, s.notesKey(c.ID)).Val()
	if notes <= 0 || notes > meta+time.Second { // (read one after the other, each rounded to the ms)
		t.Errorf("notes' lifetime: got %v, want in (0, %v] (the conversation's)", notes, meta)
	}
	got, err := s.Notes(ctx, c.ID)
	if err != nil || len(got) != 1 || got[0].Text != "rappeler demain" {
		t.Fatalf("Notes: got %+v, %v, want the note", got, err)
	}

	cl.Del(ctx, s.metaKey(c.ID)) // the conversation expires
	if _, err := s.Notes(ctx, c.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("Notes after the conversation: got %v, want not_found", err)
	}
	if n := cl.Exists(ctx, s.notesKey(c.ID)).Val(); n != 0 {
		t.Errorf("notes key after the conversation: %d, want erased", n)
	}
	if _, err := s.AddNote(ctx, c.ID, Note{Text: "trop tard"}); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("AddNote after the conversation: got %v, want not_found", err)
	}
}
