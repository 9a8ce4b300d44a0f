package server_test

import (
	"net/http"
	"strings"
	"testing"

	rec "github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/store/storetest"
)

// TestDeskReplies: one agent creates a canned reply, another reads it, edits it with its
// version, and a stale edit or deletion gets 409 with the current reply; every refusal
// has a French message and writes nothing.
func TestDeskReplies(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	a, b := d.session(t, d.addAgent(t, "alice").ID), d.session(t, d.addAgent(t, "bob").ID)

	r, h := mustDesk[rec.Reply](t, d, a, http.StatusCreated, "POST", "/replies", `{"name": " Bonjour ", "text": "Bonjour {{client.nom}}, je suis {{agent.nom}}."}`)
	if r.Name != "Bonjour" || r.Version != 1 || h.Get("ETag") != `"1"` {
		t.Fatalf("created: got %+v ETag %s", r, h.Get("ETag"))
	}
	list, _ := mustDesk[struct{ Replies []rec.Reply }](t, d, b, http.StatusOK, "GET", "/replies", "")
	if len(list.Replies) != 1 || list.Replies[0].Text != "Bonjour {{client.nom}}, je suis {{agent.nom}}." {
		t.Fatalf("bob reads the library: got %+v", list.Replies)
	}
	path := "/replies/" + r.ID
	if status, _, data := d.deskCall(t, b, "PUT", path, `{"name": "Accueil", "text": "Bonjour !"}`); status != http.StatusPreconditionRequired {
		t.Errorf("no If-Match: got %d %s, want 428", status, data)
	}
	saved, h := mustDesk[rec.Reply](t, d, b, http.StatusOK, "PUT", path, `{"name": "Accueil", "text": "Bonjour !"}`, "If-Match", `"1"`)
	if saved.Version != 2 || h.Get("ETag") != `"2"` || saved.Name != "Accueil" {
		t.Fatalf("saved: got %+v", saved)
	}
	for _, method := range []string{"PUT", "DELETE"} {
		status, _, data := d.deskCall(t, a, method, path, `{"name": "X", "text": "Y"}`, "If-Match", `"1"`)
		e := decode[deskBody](t, data)
		if status != http.StatusConflict || e.Error.Message != "Modifié par un autre agent." || decode[rec.Reply](t, e.Current).Name != "Accueil" {
			t.Errorf("stale %s: got %d %s, want 409 with the current reply", method, status, data)
		}
	}

	for _, tc := range []struct {
		name, method, path, body string
		want                     int
		field, message           string
	}{
		{"empty", "POST", "/replies", `{"name": "", "text": " "}`, 422, "text", "Le texte est obligatoire."},
		{"name too long", "POST", "/replies", `{"name": "` + strings.Repeat("n", 51) + `", "text": "x"}`, 422, "name", "50 caractères au plus (51 saisis)."},
		{"text too long", "POST", "/replies", `{"name": "n", "text": "` + strings.Repeat("é", 2001) + `"}`, 422, "text", "2000 caractères au plus (2001 saisis)."},
		{"name taken", "POST", "/replies", `{"name": "ACCUEIL", "text": "x"}`, 409, "name", "Une réponse type porte déjà ce nom."},
		{"not JSON", "POST", "/replies", `nom`, 400, "", "JSON invalide"},
		{"unknown reply", "PUT", "/replies/inconnue", `{"name": "a", "text": "b"}`, 404, "", "Réponse type introuvable."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, data := d.deskCall(t, a, tc.method, tc.path, tc.body, "If-Match", `"1"`)
			e := decode[deskBody](t, data)
			got := e.Error.Message
			if tc.field != "" {
				got = e.Fields[tc.field]
			}
			if status != tc.want || !strings.Contains(got, tc.message) {
				t.Errorf("got %d %s, want %d with %q", status, data, tc.want, tc.message)
			}
		})
	}

	d.deskCall(t, a, "DELETE", path, "", "If-Match", `"2"`)
	if status, _, data := d.deskCall(t, a, "GET", path, ""); status != http.StatusNotFound {
		t.Errorf("deleted: got %d %s, want 404", status, data)
	}
	list, _ = mustDesk[struct{ Replies []rec.Reply }](t, d, b, http.StatusOK, "GET", "/replies", "")
	if len(list.Replies) != 0 {
		t.Errorf("after the deletion and the refusals: got %+v, want an empty library", list.Replies)
	}
	limits, _ := mustDesk[struct{ Limits map[string]int }](t, d, a, http.StatusOK, "GET", "/limits", "")
	if limits.Limits["reply_name"] != 50 || limits.Limits["reason"] != 500 {
		t.Errorf("limits: got %v, want reply_name 50 and reason 500", limits.Limits)
	}
}
