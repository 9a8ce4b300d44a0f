package desk_test

import (
	"slices"
	"testing"
	"time"

	"github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/store/storetest"
)

// TestSearchByName: the start of any word of a name finds the customer, ignoring case,
// accents and ligatures; an edit moves the customer in the index, an erase takes them out.
func TestSearchByName(t *testing.T) {
	for name, d := range map[string]*desk.Desk{"one Redis": open(t), "cluster": desk.New(storetest.Cluster(t), time.Now)} {
		t.Run(name, func(t *testing.T) { searchByName(t, d) })
	}
}

func searchByName(t *testing.T, d *desk.Desk) {
	sophie := mustCustomer(t, d, "Sophie Martin", desk.CustomerFields{Email: "sophie@example.fr"})
	helene := mustCustomer(t, d, "Hélène Lœuvre-Martinez", desk.CustomerFields{})
	mustCustomer(t, d, "Sophiane Duval", desk.CustomerFields{})
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"sophie", []string{"Sophie Martin"}},
		{"SOPH", []string{"Sophiane Duval", "Sophie Martin"}},
		{"martin", []string{"Hélène Lœuvre-Martinez", "Sophie Martin"}}, // alphabetical
		{"helene", []string{"Hélène Lœuvre-Martinez"}},
		{"loeuvre", []string{"Hélène Lœuvre-Martinez"}},
		{"Sophie Mar", []string{"Sophie Martin"}},
		{"mar sop", []string{"Sophie Martin"}},
		{"artin", nil},         // the start of a word only
		{"s", nil},             // one letter: too short to look up
		{"sophie durand", nil}, // every word must match
	} {
		for _, s := range []desk.Search{{Name: tt.q}, {Q: tt.q}} {
			found, err := d.SearchCustomers(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(found); !slices.Equal(got, tt.want) {
				t.Errorf("%+v: got %q, want %q", s, got, tt.want)
			}
		}
	}

	f := desk.CustomerFields{Name: "Sophie Bernard", Email: sophie.Email}
	if _, err := d.UpdateCustomer(ctx, sophie.ID, sophie.Version, f, "agent-1"); err != nil {
		t.Fatal(err)
	}
	wantNames(t, d, "martin", "Hélène Lœuvre-Martinez")
	wantNames(t, d, "bern", "Sophie Bernard")

	if _, err := d.Erase(ctx, helene.ID, nil, ""); err != nil {
		t.Fatal(err)
	}
	wantNames(t, d, "martin")
	wantNames(t, d, "hel")
}

func wantNames(t *testing.T, d *desk.Desk, q string, want ...string) {
	t.Helper()
	found, err := d.SearchCustomers(ctx, desk.Search{Name: q})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(found); !slices.Equal(got, want) {
		t.Errorf("name %q: got %q, want %q", q, got, want)
	}
}

func names(cs []desk.Customer) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

// TestIndexNames: customers recorded before the name index are found once it is built.
func TestIndexNames(t *testing.T) {
	d := open(t)
	c := mustCustomer(t, d, "Zoé Lambert", desk.CustomerFields{})
	n, err := d.IndexNames(ctx)
	if err != nil || n != 1 {
		t.Fatalf("IndexNames: %d %v, want 1", n, err)
	}
	wantNames(t, d, "zoe", c.Name)
	if n, err := d.IndexNames(ctx); err != nil || n != 0 {
		t.Errorf("IndexNames again: %d %v, want 0 (done once)", n, err)
	}
}
