package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/privacy"
	"github.com/relais/relais/store/storetest"
)

// TestAgentsActionsAreAudited: an agent signs in, searches customers, creates one, reads and
// changes the record, and signs out; each is one entry of the privacy audit trail with who,
// what, when and from where; a refused read is not; no entry holds the customer's name, e-mail
// or the search's terms.
func TestAgentsActionsAreAudited(t *testing.T) {
	st := storetest.Open(t)
	d := startDesk(t, st, testConfig())
	d.addAgent(t, "alice")
	cookie := d.login(t, "alice")
	mustDesk[struct{}](t, d, cookie, http.StatusOK, "GET", "/customers?q=lea.moreau", "")
	c := d.newCustomer(t, cookie, `{"name": "Léa Moreau", "email": "lea.moreau@example.fr"}`)
	_, h := mustDesk[struct{}](t, d, cookie, http.StatusOK, "GET", "/customers/"+c.ID, "")
	mustDesk[struct{}](t, d, cookie, http.StatusOK, "PUT", "/customers/"+c.ID, `{"name": "Léa Moreau-Petit", "email": "lea.moreau@example.fr"}`, "If-Match", h.Get("ETag"))
	if status, _, _ := d.deskCall(t, cookie, "GET", "/customers/inconnu", ""); status != http.StatusNotFound {
		t.Fatalf("unknown customer: got %d, want 404", status)
	}
	if status, _, _ := call(t, "POST", d.url+"/api/v1/agent/logout", "", "", "Cookie", cookie.Name+"="+cookie.Value); status != http.StatusNoContent {
		t.Fatalf("logout: got %d", status)
	}

	entries, err := privacy.NewAudit(st, time.Hour, nil).Entries(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Action+" "+e.Subject)
		if e.By != "alice" || e.From == "" || e.At.IsZero() {
			t.Errorf("entry %+v: want by alice, from an address, at a time", e)
		}
		for _, secret := range []string{"Léa", "Moreau", "lea.moreau", c.ID} {
			if strings.Contains(e.SubjectHash+e.From+e.By, secret) {
				t.Errorf("entry %+v holds %q", e, secret)
			}
		}
	}
	want := "login agent|search customer|create customer|read customer|edit customer|logout agent"
	if strings.Join(got, "|") != want {
		t.Fatalf("audit: got %q, want %q", strings.Join(got, "|"), want)
	}
	if entries[3].SubjectHash != privacy.SubjectHash(privacy.SubjectCustomer, c.ID) {
		t.Errorf("the read names another record: %+v", entries[3])
	}
}

// TestTranscriptNotesAndLinkAreAudited: the agent holding a conversation reads its
// transcript, writes and reads its notes and links it to a customer: each is an entry of the
// conversation (read, note, read, link) under the agent's login, none holding the note's text.
func TestTranscriptNotesAndLinkAreAudited(t *testing.T) {
	st := storetest.Open(t)
	d := startDesk(t, st, testConfig())
	alice := d.addAgent(t, "alice")
	cookie := d.session(t, alice.ID)
	dk := d.openDesk(t, cookie)
	dk.setReady(t)
	c := d.open(t)
	d.takeOver(t, dk, c)
	cu := d.newCustomer(t, cookie, `{"name": "Marc Petit"}`)
	mustDesk[struct{}](t, d, cookie, http.StatusOK, "GET", "/conversations/"+c.ID+"/events?limit=50", "")
	mustDesk[struct{}](t, d, cookie, http.StatusCreated, "POST", "/conversations/"+c.ID+"/notes", `{"text": "Client pressé : rappeler Marc"}`)
	mustDesk[struct{}](t, d, cookie, http.StatusOK, "GET", "/conversations/"+c.ID+"/notes", "")
	mustDesk[struct{}](t, d, cookie, http.StatusOK, "POST", "/conversations/"+c.ID+"/customer", `{"customer_id":"`+cu.ID+`"}`)

	entries, err := privacy.NewAudit(st, time.Hour, nil).EntriesOf(context.Background(),
		privacy.SubjectHash(privacy.SubjectConversation, c.ID), 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Action+" "+e.By)
		if strings.Contains(e.SubjectHash+e.From+e.By, "Marc") || strings.Contains(e.SubjectHash, c.ID) {
			t.Errorf("entry %+v holds personal data", e)
		}
	}
	if want := "read alice|note alice|read alice|link alice"; strings.Join(got, "|") != want {
		t.Errorf("the conversation's entries: %q, want %q", strings.Join(got, "|"), want)
	}
}
