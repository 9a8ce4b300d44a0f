package desk_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/store/storetest"
)

func TestRequestLifecycle(t *testing.T) {
	d := open(t)
	c := mustCustomer(t, d, "Claire", desk.CustomerFields{})
	r, err := d.CreateRequest(ctx, c.ID, desk.RequestFields{Description: "Colis abîmé"}, "agent-1")
	if err != nil {
		t.Fatal(err)
	}
	if r.Title != desk.DefaultTitle || r.Status != desk.StatusOpen || r.Version != 1 || r.CustomerID != c.ID {
		t.Fatalf("created: got %+v, want « Nouvelle demande », open, version 1", r)
	}
	closed := desk.StatusClosed
	title := "Colis abîmé à la livraison"
	r, err = d.PatchRequest(ctx, r.ID, 1, desk.RequestPatch{Title: &title, Status: &closed}, "agent-2")
	if err != nil || r.Title != title || r.Description != "Colis abîmé" || r.Status != desk.StatusClosed || r.ClosedAt == "" || r.Version != 2 {
		t.Fatalf("closed: got %+v %v, want the new title, the description kept, closed_at set, version 2", r, err)
	}
	open := desk.StatusOpen
	r, err = d.PatchRequest(ctx, r.ID, 2, desk.RequestPatch{Status: &open}, "agent-2")
	if err != nil || r.Status != desk.StatusOpen || r.ClosedAt != "" {
		t.Fatalf("reopened: got %+v %v, want open with closed_at cleared", r, err)
	}
	_, err = d.PatchRequest(ctx, r.ID, 2, desk.RequestPatch{Title: &title}, "agent-1")
	if stale, ok := errors.AsType[*desk.StaleError](err); !ok || stale.Current.(desk.Request).Version != 3 {
		t.Errorf("stale: got %v, want a *StaleError with version 3", err)
	}
	if _, err := d.CreateRequest(ctx, "inconnu", desk.RequestFields{}, ""); !errors.Is(err, desk.ErrCustomerNotFound) {
		t.Errorf("unknown customer: got %v", err)
	}
	if _, err := d.PatchRequest(ctx, "inconnu", 1, desk.RequestPatch{}, ""); !errors.Is(err, desk.ErrRequestNotFound) {
		t.Errorf("unknown request: got %v", err)
	}
}

func TestTags(t *testing.T) {
	d := open(t)
	in, err := d.Attach(ctx, desk.Taken{TaskID: "t1", ConversationID: "c1", AgentID: "agent-1", AgentName: "Camille"})
	if err != nil {
		t.Fatal(err)
	}
	a := in.Activity
	steps := []struct {
		name string
		add  string // or
		del  string
		code apperr.Code // "" when it succeeds
		tags string      // the tags afterwards, joined by |
	}{
		{name: "add", add: "Livraison", tags: "Livraison"},
		{name: "same ignoring case", add: "livraison", code: apperr.DuplicateTag, tags: "Livraison"},
		{name: "add accented", add: "Réclamation", tags: "Livraison|Réclamation"},
		{name: "same ignoring accents", add: "reclamation", code: apperr.DuplicateTag, tags: "Livraison|Réclamation"},
		{name: "empty", add: "   ", code: apperr.Invalid, tags: "Livraison|Réclamation"},
		{name: "51 characters", add: strings.Repeat("é", 51), code: apperr.Invalid, tags: "Livraison|Réclamation"},
		{name: "50 characters", add: strings.Repeat("é", 50), tags: "Livraison|Réclamation|" + strings.Repeat("é", 50)},
		{name: "remove ignoring accents and case", del: "RECLAMATION", tags: "Livraison|" + strings.Repeat("é", 50)},
		{name: "remove absent", del: "urgent", code: apperr.NotFound, tags: "Livraison|" + strings.Repeat("é", 50)},
	}
	for _, s := range steps {
		var got desk.Activity
		var err error
		if s.del != "" {
			got, err = d.RemoveTag(ctx, a.ID, a.Version, s.del, "agent-1")
		} else {
			got, err = d.AddTag(ctx, a.ID, a.Version, s.add, "agent-1")
		}
		if s.code != "" {
			wantCode(t, err, s.code)
		} else if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		} else {
			if got.Version != a.Version+1 {
				t.Errorf("%s: got version %d, want %d", s.name, got.Version, a.Version+1)
			}
			a = got
		}
		cur, _ := d.Activity(ctx, a.ID)
		if joined := strings.Join(cur.Tags, "|"); joined != s.tags {
			t.Errorf("%s: got tags %q, want %q", s.name, joined, s.tags)
		}
	}
	if _, err := d.AddTag(ctx, a.ID, a.Version-1, "Retour", "agent-2"); !errors.As(err, new(*desk.StaleError)) {
		t.Errorf("stale tag: got %v, want a *StaleError", err)
	}
}

func TestTagLimit(t *testing.T) {
	d := open(t)
	in, _ := d.Attach(ctx, desk.Taken{TaskID: "t1", ConversationID: "c1", AgentID: "agent-1"})
	a := in.Activity
	for i := range desk.MaxTags {
		var err error
		if a, err = d.AddTag(ctx, a.ID, a.Version, "tag-"+string(rune('a'+i)), ""); err != nil {
			t.Fatalf("tag %d: %v", i, err)
		}
	}
	_, err := d.AddTag(ctx, a.ID, a.Version, "un de trop", "")
	wantCode(t, err, apperr.Invalid)
}

// TestConcurrentSaves: two agents save the same version of a customer at once, many times:
// exactly one wins each time, the other gets the current record.
func TestConcurrentSaves(t *testing.T) {
	d := open(t)
	c := mustCustomer(t, d, "Claire", desk.CustomerFields{})
	for round := range 50 {
		version := c.Version
		var wg sync.WaitGroup
		results := make([]error, 2)
		saved := make([]desk.Customer, 2)
		for i := range 2 {
			wg.Go(func() {
				name := []string{"Claire A", "Claire B"}[i]
				saved[i], results[i] = d.UpdateCustomer(ctx, c.ID, version, desk.CustomerFields{Name: name}, "agent")
			})
		}
		wg.Wait()
		wins := 0
		for i, err := range results {
			switch {
			case err == nil:
				wins++
				c = saved[i]
			case errors.As(err, new(*desk.StaleError)):
			default:
				t.Fatalf("round %d: got %v", round, err)
			}
		}
		if wins != 1 || c.Version != version+1 {
			t.Fatalf("round %d: got %d wins and version %d, want 1 win and version %d", round, wins, c.Version, version+1)
		}
	}
}

// A tag filed under an older TagKey (before ligatures were folded) is still removed when
// given as spelt.
func TestRemoveTagFiledUnderAnOlderKey(t *testing.T) {
	st := storetest.Open(t)
	d := desk.New(st, nil)
	in, err := d.Attach(ctx, desk.Taken{TaskID: "t1", ConversationID: "c1", AgentID: "agent-1"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := d.AddTag(ctx, in.Activity.ID, in.Activity.Version, "Cœur de gamme", "agent-1")
	if err != nil {
		t.Fatal(err)
	}
	key := st.Key("{r:"+in.Request.ID+"}") + ":activity:" + a.ID                       // its home: the request without a customer
	if err := st.Client.HSet(ctx, key, "tagkeys", "cœur de gamme").Err(); err != nil { // the old key
		t.Fatal(err)
	}
	if _, err := d.RemoveTag(ctx, a.ID, a.Version, "Cœur de gamme", "agent-1"); err != nil {
		t.Fatalf("remove as spelt: %v", err)
	}
	if cur, _ := d.Activity(ctx, a.ID); len(cur.Tags) != 0 {
		t.Errorf("tags left: %q", cur.Tags)
	}
}
