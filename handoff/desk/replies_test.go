package desk_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff/desk"
)

func TestReplyLifecycle(t *testing.T) {
	d := open(t)
	hello, err := d.CreateReply(ctx, desk.ReplyFields{Name: "  Bonjour  ", Text: " Bonjour {{client.nom}}, je suis {{agent.nom}}. "}, "agent-1")
	if err != nil || hello.Name != "Bonjour" || hello.Text != "Bonjour {{client.nom}}, je suis {{agent.nom}}." || hello.Version != 1 || hello.UpdatedBy != "agent-1" {
		t.Fatalf("created: got %+v %v, want trimmed fields at version 1", hello, err)
	}
	if _, err := d.CreateReply(ctx, desk.ReplyFields{Name: "Délai", Text: "Comptez 48 h."}, "agent-2"); err != nil {
		t.Fatal(err)
	}
	list, err := d.Replies(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "Bonjour" || list[1].Name != "Délai" {
		t.Fatalf("library: got %+v %v, want Bonjour then Délai", list, err)
	}

	up, err := d.UpdateReply(ctx, hello.ID, 1, desk.ReplyFields{Name: "Accueil", Text: "Bonjour !"}, "agent-2")
	if err != nil || up.Name != "Accueil" || up.Text != "Bonjour !" || up.Version != 2 || up.UpdatedBy != "agent-2" {
		t.Fatalf("updated: got %+v %v", up, err)
	}
	_, err = d.UpdateReply(ctx, hello.ID, 1, desk.ReplyFields{Name: "X", Text: "Y"}, "agent-1")
	if stale, ok := errors.AsType[*desk.StaleError](err); !ok || stale.Current.(desk.Reply).Text != "Bonjour !" {
		t.Errorf("stale update: got %v, want a *StaleError with the current reply", err)
	}
	// The old name is free again, the new one taken.
	if _, err := d.CreateReply(ctx, desk.ReplyFields{Name: "bonjour", Text: "Salut"}, "agent-1"); err != nil {
		t.Errorf("the old name after a rename: %v", err)
	}
	if err := d.DeleteReply(ctx, hello.ID, 1, "agent-1"); !errors.As(err, new(*desk.StaleError)) {
		t.Errorf("stale delete: got %v", err)
	}
	if err := d.DeleteReply(ctx, hello.ID, 2, "agent-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Reply(ctx, hello.ID); !errors.Is(err, desk.ErrReplyNotFound) {
		t.Errorf("deleted reply: got %v, want not found", err)
	}
	if err := d.DeleteReply(ctx, hello.ID, 2, "agent-1"); !errors.Is(err, desk.ErrReplyNotFound) {
		t.Errorf("deleted twice: got %v, want not found", err)
	}
	if _, err := d.CreateReply(ctx, desk.ReplyFields{Name: "ACCUEIL", Text: "Re"}, "agent-1"); err != nil {
		t.Errorf("a deleted reply's name: %v", err)
	}
	list, _ = d.Replies(ctx)
	if len(list) != 3 {
		t.Errorf("library after the delete: got %+v, want 3 replies", list)
	}
}

func TestReplyRefusals(t *testing.T) {
	d := open(t)
	taken, err := d.CreateReply(ctx, desk.ReplyFields{Name: "Réclamation", Text: "x"}, "")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := d.CreateReply(ctx, desk.ReplyFields{Name: "Autre", Text: "x"}, "")
	for _, tc := range []struct {
		name   string
		f      desk.ReplyFields
		fields []string
		code   apperr.Code
	}{
		{"no name, no text", desk.ReplyFields{Name: " ", Text: "\n"}, []string{"name", "text"}, apperr.Invalid},
		{"name of 51 characters", desk.ReplyFields{Name: strings.Repeat("é", 51), Text: "x"}, []string{"name"}, apperr.Invalid},
		{"text of 2,001 characters", desk.ReplyFields{Name: "n", Text: strings.Repeat("é", 2001)}, []string{"text"}, apperr.Invalid},
		{"control character in the name", desk.ReplyFields{Name: "a\tb", Text: "x"}, []string{"name"}, apperr.Invalid},
		{"same name ignoring case and accents", desk.ReplyFields{Name: "  RECLAMATION ", Text: "x"}, []string{"name"}, apperr.Duplicate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := d.CreateReply(ctx, tc.f, "")
			got := fieldsOf(err)
			if apperr.CodeOf(err) != tc.code || len(got) != len(tc.fields) {
				t.Fatalf("got %v %v, want %s on %v", err, got, tc.code, tc.fields)
			}
			for _, f := range tc.fields {
				if got[f] == "" {
					t.Errorf("no message for %s: %v", f, got)
				}
			}
		})
	}
	if _, err := d.UpdateReply(ctx, other.ID, 1, desk.ReplyFields{Name: "réclamation", Text: "x"}, ""); apperr.CodeOf(err) != apperr.Duplicate {
		t.Errorf("rename to a taken name: got %v, want duplicate", err)
	}
	if r, err := d.UpdateReply(ctx, taken.ID, 1, desk.ReplyFields{Name: "RÉCLAMATION", Text: "y"}, ""); err != nil || r.Name != "RÉCLAMATION" {
		t.Errorf("a reply keeps its own name in another case: got %+v %v", r, err)
	}
	if _, err := d.UpdateReply(ctx, "../x", 1, desk.ReplyFields{Name: "a", Text: "b"}, ""); !errors.Is(err, desk.ErrReplyNotFound) {
		t.Errorf("bad id: got %v", err)
	}
	list, _ := d.Replies(ctx)
	if len(list) != 2 {
		t.Errorf("refusals wrote replies: %+v", list)
	}
}

// TestReplyNamesRace: two agents creating the same name at once: one reply.
func TestReplyNamesRace(t *testing.T) {
	d := open(t)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = d.CreateReply(ctx, desk.ReplyFields{Name: "Délai de livraison", Text: "48 h"}, "")
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if apperr.CodeOf(err) != apperr.Duplicate {
			t.Errorf("got %v, want duplicate", err)
		}
	}
	if list, _ := d.Replies(ctx); ok != 1 || len(list) != 1 {
		t.Errorf("%d creations succeeded, %d replies: want 1 and 1", ok, len(list))
	}
}
