package desk_test

import (
	"strings"
	"testing"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff/desk"
)

func TestCustomerValidation(t *testing.T) {
	d := open(t)
	tests := []struct {
		name   string
		fields desk.CustomerFields
		want   string // the field at fault, "" when valid
	}{
		{name: "valid", fields: desk.CustomerFields{Name: "Claire Martin", Email: "claire@exemple.fr", Phone: "+33 6 12 34 56 78"}},
		{name: "name missing", fields: desk.CustomerFields{Name: "  "}, want: "name"},
		{name: "name of 200 characters", fields: desk.CustomerFields{Name: strings.Repeat("é", 200)}},
		{name: "name of 201 characters", fields: desk.CustomerFields{Name: strings.Repeat("é", 201)}, want: "name"},
		{name: "email without at", fields: desk.CustomerFields{Name: "A", Email: "claire.exemple.fr"}, want: "email"},
		{name: "email without domain dot", fields: desk.CustomerFields{Name: "A", Email: "claire@exemple"}, want: "email"},
		{name: "email with space", fields: desk.CustomerFields{Name: "A", Email: "cl aire@exemple.fr"}, want: "email"},
		{name: "phone too short", fields: desk.CustomerFields{Name: "A", Phone: "12 34"}, want: "phone"},
		{name: "phone with letters", fields: desk.CustomerFields{Name: "A", Phone: "06 12 AB 56 78"}, want: "phone"},
		{name: "phone of 21 digits", fields: desk.CustomerFields{Name: "A", Phone: strings.Repeat("1", 21)}, want: "phone"},
		{name: "phone with punctuation", fields: desk.CustomerFields{Name: "A", Phone: "(01) 23.45-67 89"}},
		{name: "address of 2000 characters", fields: desk.CustomerFields{Name: "A", Address: strings.Repeat("à", 2000)}},
		{name: "address of 2001 characters", fields: desk.CustomerFields{Name: "A", Address: strings.Repeat("à", 2001)}, want: "address"},
		{name: "notes of 2001 characters", fields: desk.CustomerFields{Name: "A", Notes: strings.Repeat("x", 2001)}, want: "notes"},
		{name: "account with dashes", fields: desk.CustomerFields{Name: "A", AccountNumber: "CL-2024-00042"}},
		{name: "account with a space", fields: desk.CustomerFields{Name: "A", AccountNumber: "CL 42"}, want: "account_number"},
		{name: "account of 51 characters", fields: desk.CustomerFields{Name: "A", AccountNumber: strings.Repeat("9", 51)}, want: "account_number"},
		{name: "language known", fields: desk.CustomerFields{Name: "A", Language: "EN"}},
		{name: "language unknown", fields: desk.CustomerFields{Name: "A", Language: "klingon"}, want: "language"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := d.CreateCustomer(ctx, tt.fields, "agent-1")
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			wantCode(t, err, apperr.Invalid)
			if msg := fieldsOf(err)[tt.want]; msg == "" {
				t.Errorf("got fields %v, want a message for %s", fieldsOf(err), tt.want)
			}
		})
	}
}

func TestCustomerValidationReportsEveryField(t *testing.T) {
	d := open(t)
	_, err := d.CreateCustomer(ctx, desk.CustomerFields{Email: "x", Phone: "1", Language: "zz"}, "")
	got := fieldsOf(err)
	for _, f := range []string{"name", "email", "phone", "language"} {
		if got[f] == "" {
			t.Errorf("got fields %v, want a message for %s", got, f)
		}
	}
}

func TestTagKey(t *testing.T) {
	tests := []struct {
		name, a, b string
		same       bool
	}{
		{name: "case", a: "Livraison", b: "livraison", same: true},
		{name: "upper case", a: "LIVRAISON", b: "livraison", same: true},
		{name: "accents", a: "Réclamation", b: "reclamation", same: true},
		{name: "accents and case", a: "RÉCLAMATION", b: "réclamation", same: true},
		{name: "cedilla", a: "Reçu", b: "recu", same: true},
		{name: "spaces around", a: "  urgent ", b: "urgent", same: true},
		{name: "spaces inside", a: "client  très\tfidèle", b: "Client très fidèle", same: true},
		{name: "ligature oe", a: "Cœur de gamme", b: "coeur de gamme", same: true},
		{name: "ligature OE", a: "ŒUVRE", b: "oeuvre", same: true},
		{name: "ligature ae", a: "Curriculum vitæ", b: "curriculum vitae", same: true},
		{name: "words stay apart", a: "bon coin", b: "boncoin"},
		{name: "different", a: "Livraison", b: "Facturation"},
		{name: "plural differs", a: "retour", b: "retours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := desk.TagKey(tt.a) == desk.TagKey(tt.b); got != tt.same {
				t.Errorf("TagKey(%q) == TagKey(%q): got %v, want %v", tt.a, tt.b, got, tt.same)
			}
		})
	}
}

func TestRequestPatchValidation(t *testing.T) {
	d := open(t)
	c := mustCustomer(t, d, "Claire", desk.CustomerFields{})
	r, err := d.CreateRequest(ctx, c.ID, desk.RequestFields{}, "agent-1")
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	status := func(s desk.RequestStatus) *desk.RequestStatus { return &s }
	tests := []struct {
		name  string
		patch desk.RequestPatch
		want  string
	}{
		{name: "empty title", patch: desk.RequestPatch{Title: str(" ")}, want: "title"},
		{name: "title of 2001 characters", patch: desk.RequestPatch{Title: str(strings.Repeat("é", 2001))}, want: "title"},
		{name: "description of 2001 characters", patch: desk.RequestPatch{Description: str(strings.Repeat("é", 2001))}, want: "description"},
		{name: "unknown status", patch: desk.RequestPatch{Status: status("pending")}, want: "status"},
	}
	long := strings.Repeat("é", desk.MaxTitle)
	if _, err := d.PatchRequest(ctx, r.ID, r.Version, desk.RequestPatch{Title: &long}, "agent-1"); err != nil {
		t.Errorf("a title of 2,000 characters: %v, want it saved (the desk's fields take 2,000)", err)
	}
	if r, err = d.Request(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := d.PatchRequest(ctx, r.ID, r.Version, tt.patch, "agent-1")
			wantCode(t, err, apperr.Invalid)
			if fieldsOf(err)[tt.want] == "" {
				t.Errorf("got fields %v, want a message for %s", fieldsOf(err), tt.want)
			}
		})
	}
}
