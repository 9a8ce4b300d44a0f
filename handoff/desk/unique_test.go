package desk_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

// TestUniqueValuesRace: agents creating customers with the same e-mail at once (each record
// in its own slot) → exactly one wins, every other is told who has it.
func TestUniqueValuesRace(t *testing.T) {
	d := open(t)
	const n = 8
	var wg sync.WaitGroup
	ids, errs := make([]string, n), make([]error, n)
	for i := range n {
		wg.Go(func() {
			c, err := d.CreateCustomer(ctx, desk.CustomerFields{Name: fmt.Sprintf("C%d", i),
				Email: "Meme@exemple.fr", AccountNumber: fmt.Sprintf("R-%d", i)}, "")
			ids[i], errs[i] = c.ID, err
		})
	}
	wg.Wait()
	winner := ""
	for i, err := range errs {
		if err == nil {
			if winner != "" {
				t.Fatalf("two winners: %s and %s", winner, ids[i])
			}
			winner = ids[i]
		}
	}
	if winner == "" {
		t.Fatalf("no winner: %v", errs)
	}
	for _, err := range errs {
		if dup, ok := errors.AsType[*desk.DuplicateError](err); err != nil && (!ok || dup.ExistingID != winner) {
			t.Errorf("got %v, want duplicate of %s", err, winner)
		}
	}
	if found, _ := d.SearchCustomers(ctx, desk.Search{Email: "meme@exemple.fr"}); len(found) != 1 || found[0].ID != winner {
		t.Errorf("search finds %v, want %s", found, winner)
	}
	// The losers released their account numbers: another customer may take one.
	for i := range n {
		if ids[i] == winner {
			continue
		}
		if _, err := d.CreateCustomer(ctx, desk.CustomerFields{Name: "D", AccountNumber: fmt.Sprintf("R-%d", i)}, ""); err != nil {
			t.Errorf("account R-%d of a loser: %v", i, err)
		}
	}
}

// TestReservationsOfFailedWrites: a create refused after reserving its e-mail releases it; a
// create whose reservation no replica acknowledged writes nothing and gives it up; a reservation
// left by a writer that died (past its deadline, or its holder's record does not carry the
// value) is taken over.
func TestReservationsOfFailedWrites(t *testing.T) {
	st := storetest.Open(t)
	d := desk.New(st, nil)
	mustCustomer(t, d, "A", desk.CustomerFields{AccountNumber: "X-1"})
	f := desk.CustomerFields{Name: "Inès", Email: "ines@exemple.fr", AccountNumber: "X-1"}
	if _, err := d.CreateCustomer(ctx, f, ""); apperr.CodeOf(err) != apperr.Duplicate {
		t.Fatalf("got %v, want duplicate account", err)
	}
	f.AccountNumber = ""
	if _, err := d.CreateCustomer(ctx, f, ""); err != nil {
		t.Fatalf("after a refused create: %v", err)
	}
	waiting := desk.New(st, nil).WithReplicas(store.Replicas{MinReplicas: 1, Timeout: 20 * time.Millisecond})
	f.Email = "unacked@exemple.fr"
	if _, err := waiting.CreateCustomer(ctx, f, ""); apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("got %v, want unavailable", err)
	}
	if found, _ := d.SearchCustomers(ctx, desk.Search{Email: f.Email}); len(found) != 0 {
		t.Errorf("a create whose reservation no replica acknowledged wrote its record: found %v", found)
	}
	if _, err := d.CreateCustomer(ctx, f, ""); err != nil {
		t.Errorf("the e-mail of an unacknowledged create stays reserved: %v", err)
	}
	if err := st.Client.Set(ctx, st.Key("idx", "email", "dead@exemple.fr"), "deadid 1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CreateCustomer(ctx, desk.CustomerFields{Name: "H", Email: "dead@exemple.fr"}, ""); err != nil {
		t.Fatalf("over a pending reservation past its deadline: %v", err)
	}
	if err := st.Client.Set(ctx, st.Key("idx", "email", "ghost@exemple.fr"), "ghostid", 0).Err(); err != nil {
		t.Fatal(err)
	}
	c, err := d.CreateCustomer(ctx, desk.CustomerFields{Name: "G", Email: "ghost@exemple.fr"}, "")
	if err != nil {
		t.Fatalf("over a stale reservation: %v", err)
	}
	if found, _ := d.SearchCustomers(ctx, desk.Search{Email: "ghost@exemple.fr"}); len(found) != 1 || found[0].ID != c.ID {
		t.Errorf("search finds %v, want %s", found, c.ID)
	}
}
