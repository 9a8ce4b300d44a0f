package desk_test

import (
	"errors"
	"testing"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff/desk"
)

func TestCreateGetUpdateCustomer(t *testing.T) {
	d := open(t)
	c := mustCustomer(t, d, " Claire Martin ", desk.CustomerFields{Email: "Claire@Exemple.fr"})
	if c.Version != 1 || c.Name != "Claire Martin" || c.Language != "fr" || c.UpdatedBy != "agent-1" || c.CreatedAt == "" {
		t.Fatalf("created: got %+v, want version 1, trimmed name, language fr, updated_by agent-1", c)
	}
	got, err := d.Customer(ctx, c.ID)
	if err != nil || got != c {
		t.Fatalf("get: got %+v %v, want %+v", got, err, c)
	}
	up, err := d.UpdateCustomer(ctx, c.ID, 1, desk.CustomerFields{Name: "Claire Dupont", Email: "claire.dupont@exemple.fr"}, "agent-2")
	if err != nil || up.Version != 2 || up.Name != "Claire Dupont" || up.UpdatedBy != "agent-2" {
		t.Fatalf("update: got %+v %v, want version 2 by agent-2", up, err)
	}
	// The old e-mail is free again, the new one is taken.
	if found, _ := d.SearchCustomers(ctx, desk.Search{Email: "claire@exemple.fr"}); len(found) != 0 {
		t.Errorf("old e-mail: got %v, want nobody", found)
	}
	if found, _ := d.SearchCustomers(ctx, desk.Search{Email: "CLAIRE.DUPONT@exemple.fr"}); len(found) != 1 || found[0].ID != c.ID {
		t.Errorf("new e-mail: got %v, want %s", found, c.ID)
	}
	if _, err := d.Customer(ctx, "inconnu"); !errors.Is(err, desk.ErrCustomerNotFound) {
		t.Errorf("unknown: got %v, want ErrCustomerNotFound", err)
	}
}

func TestUpdateCustomerStale(t *testing.T) {
	d := open(t)
	c := mustCustomer(t, d, "Claire", desk.CustomerFields{})
	if _, err := d.UpdateCustomer(ctx, c.ID, 1, desk.CustomerFields{Name: "Claire B"}, "agent-1"); err != nil {
		t.Fatal(err)
	}
	_, err := d.UpdateCustomer(ctx, c.ID, 1, desk.CustomerFields{Name: "Claire C"}, "agent-2")
	stale, ok := errors.AsType[*desk.StaleError](err)
	if !ok {
		t.Fatalf("got %v, want a *StaleError", err)
	}
	cur, _ := stale.Current.(desk.Customer)
	if stale.Version != 2 || cur.Name != "Claire B" || cur.Version != 2 {
		t.Errorf("got version %d, current %+v; want 2 and « Claire B »", stale.Version, cur)
	}
	wantCode(t, err, apperr.Conflict)
	if got, _ := d.Customer(ctx, c.ID); got.Name != "Claire B" {
		t.Errorf("after the stale write: got %q, want « Claire B » (nothing written)", got.Name)
	}
	if _, err := d.UpdateCustomer(ctx, "inconnu", 1, desk.CustomerFields{Name: "X"}, ""); !errors.Is(err, desk.ErrCustomerNotFound) {
		t.Errorf("unknown: got %v, want ErrCustomerNotFound", err)
	}
}

func TestCustomerUniqueness(t *testing.T) {
	d := open(t)
	a := mustCustomer(t, d, "A", desk.CustomerFields{Email: "a@exemple.fr", AccountNumber: "CL-1"})
	b := mustCustomer(t, d, "B", desk.CustomerFields{})
	tests := []struct {
		name  string
		f     desk.CustomerFields
		field string
	}{
		{name: "same e-mail other case", f: desk.CustomerFields{Name: "C", Email: "A@EXEMPLE.FR"}, field: "email"},
		{name: "same account other case", f: desk.CustomerFields{Name: "C", AccountNumber: "cl-1"}, field: "account_number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for what, write := range map[string]func() error{
				"create": func() error { _, err := d.CreateCustomer(ctx, tt.f, ""); return err },
				"update": func() error { _, err := d.UpdateCustomer(ctx, b.ID, 1, tt.f, ""); return err },
			} {
				err := write()
				dup, ok := errors.AsType[*desk.DuplicateError](err)
				if !ok || dup.Field != tt.field || dup.ExistingID != a.ID {
					t.Errorf("%s: got %v, want duplicate %s of %s", what, err, tt.field, a.ID)
				}
				wantCode(t, err, apperr.Duplicate)
			}
		})
	}
	// A customer keeps their own e-mail when saved again.
	if _, err := d.UpdateCustomer(ctx, a.ID, 1, desk.CustomerFields{Name: "A2", Email: "a@exemple.fr", AccountNumber: "CL-1"}, ""); err != nil {
		t.Errorf("saving own e-mail: %v", err)
	}
}

func TestSearchCustomers(t *testing.T) {
	d := open(t)
	a := mustCustomer(t, d, "A", desk.CustomerFields{Email: "a@exemple.fr", Phone: "06 12 34 56 78", AccountNumber: "CL-7"})
	b := mustCustomer(t, d, "B", desk.CustomerFields{Phone: "+33 6 12 34 56 78"})
	tests := []struct {
		name string
		q    desk.Search
		want []string
	}{
		{name: "e-mail", q: desk.Search{Email: " A@exemple.FR "}, want: []string{a.ID}},
		{name: "phone shared, +33 as 0", q: desk.Search{Phone: "0612345678"}, want: []string{a.ID, b.ID}},
		{name: "account", q: desk.Search{Account: "cl-7"}, want: []string{a.ID}},
		{name: "q as e-mail", q: desk.Search{Q: "a@exemple.fr"}, want: []string{a.ID}},
		{name: "q as phone", q: desk.Search{Q: "+33612345678"}, want: []string{a.ID, b.ID}},
		{name: "q as account", q: desk.Search{Q: "CL-7"}, want: []string{a.ID}},
		{name: "nothing", q: desk.Search{Q: "inconnu"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := d.SearchCustomers(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]bool{}
			for _, c := range got {
				ids[c.ID] = true
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d customers, want %d", len(got), len(tt.want))
			}
			for _, id := range tt.want {
				if !ids[id] {
					t.Errorf("got %v, want %s among them", got, id)
				}
			}
		})
	}
}

func TestEnsureCustomer(t *testing.T) {
	d := open(t)
	other := mustCustomer(t, d, "Autre", desk.CustomerFields{Email: "pris@exemple.fr"})
	c, err := d.EnsureCustomer(ctx, desk.Identity{Sub: "ext-42", Name: "Léa", Email: "pris@exemple.fr", Phone: "0600000000"})
	if err != nil {
		t.Fatal(err)
	}
	if c.ExternalID != "ext-42" || c.Name != "Léa" || c.Email != "" || c.Phone != "0600000000" || c.UpdatedBy != "" {
		t.Errorf("created: got %+v, want external_id ext-42, the taken e-mail left out", c)
	}
	again, err := d.EnsureCustomer(ctx, desk.Identity{Sub: "ext-42", Name: "Autre nom"})
	if err != nil || again.ID != c.ID || again.Name != "Léa" {
		t.Errorf("again: got %+v %v, want the same customer %s unchanged", again, err, c.ID)
	}
	anon, err := d.EnsureCustomer(ctx, desk.Identity{Sub: "ext-43", Email: "pas une adresse"})
	if err != nil || anon.Name != "Client ext-43" || anon.Email != "" || anon.ID == other.ID {
		t.Errorf("no name: got %+v %v, want « Client ext-43 » without e-mail", anon, err)
	}
}
