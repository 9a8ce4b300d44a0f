package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	rec "github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/store/storetest"
)

func TestDeskRoutesNeedAnAgent(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	routes := []struct{ method, path string }{
		{"GET", "/customers?q=x"}, {"POST", "/customers"}, {"GET", "/customers/x"},
		{"PUT", "/customers/x"}, {"GET", "/customers/x/journey"}, {"POST", "/customers/x/requests"},
		{"GET", "/requests/x"}, {"PATCH", "/requests/x"}, {"GET", "/activities/x"},
		{"POST", "/activities/x/tags"}, {"DELETE", "/activities/x/tags/y"},
		{"GET", "/conversations/x"}, {"POST", "/conversations/x/customer"}, {"GET", "/limits"},
		{"POST", "/conversations/x/transfer"}, {"GET", "/colleagues"},
		{"GET", "/replies"}, {"POST", "/replies"}, {"GET", "/replies/x"}, {"PUT", "/replies/x"}, {"DELETE", "/replies/x"},
	}
	bogus := &http.Cookie{Name: "relais_agent", Value: "pas-une-session"}
	for _, r := range routes {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			for _, cookie := range []*http.Cookie{nil, bogus} {
				status, _, body := d.deskCall(t, cookie, r.method, r.path, `{}`)
				if status != http.StatusUnauthorized {
					t.Errorf("cookie %v: got %d %s, want 401", cookie != nil, status, body)
				}
			}
		})
	}
}

// TestDeskLimits: the page's counters read the records' limits from the server.
func TestDeskLimits(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	a := d.session(t, d.addAgent(t, "alice").ID)
	got, _ := mustDesk[struct{ Limits map[string]int }](t, d, a, http.StatusOK, "GET", "/limits", "")
	if got.Limits["title"] != 2000 || got.Limits["text"] != 2000 || got.Limits["name"] != 200 || got.Limits["tag"] != 50 ||
		got.Limits["message"] != testConfig().MaxMessageLength {
		t.Errorf("got %v, want title 2000, text 2000, name 200, tag 50, message %d", got.Limits, testConfig().MaxMessageLength)
	}
}

func TestDeskCustomers(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	a := d.session(t, d.addAgent(t, "alice").ID)
	c, h := mustDesk[rec.Customer](t, d, a, http.StatusCreated, "POST", "/customers",
		`{"name":"Claire Martin","email":"claire@exemple.fr","phone":"06 12 34 56 78","account_number":"CL-42"}`)
	if h.Get("ETag") != `"1"` || c.Version != 1 || c.Language != "fr" {
		t.Fatalf("create: got %+v ETag %s, want version 1", c, h.Get("ETag"))
	}
	got, h := mustDesk[rec.Customer](t, d, a, http.StatusOK, "GET", "/customers/"+c.ID, "")
	if got.Name != "Claire Martin" || h.Get("ETag") != `"1"` {
		t.Errorf("get: got %+v ETag %s", got, h.Get("ETag"))
	}
	for _, q := range []string{"email=CLAIRE@exemple.fr", "phone=%2B33612345678", "account=cl-42", "q=cl-42", "q=claire@exemple.fr",
		"name=claire", "q=CLAIRE", "q=mart", "name=Cl%C3%A4ire+m"} {
		found, _ := mustDesk[struct{ Customers []rec.Customer }](t, d, a, http.StatusOK, "GET", "/customers?"+q, "")
		if len(found.Customers) != 1 || found.Customers[0].ID != c.ID {
			t.Errorf("search %s: got %+v, want %s", q, found.Customers, c.ID)
		}
	}
	if status, _, _ := d.deskCall(t, a, "GET", "/customers", ""); status != http.StatusBadRequest {
		t.Errorf("search without a criterion: got %d, want 400", status)
	}
	if status, _, _ := d.deskCall(t, a, "GET", "/customers/inconnu", ""); status != http.StatusNotFound {
		t.Errorf("unknown customer: got %d, want 404", status)
	}
	j, _ := mustDesk[rec.Journey](t, d, a, http.StatusOK, "GET", "/customers/"+c.ID+"/journey", "")
	if j.Customer.ID != c.ID || j.Requests == nil || len(j.Requests) != 0 {
		t.Errorf("journey: got %+v, want the customer and no request", j)
	}
}

func TestDeskCustomerVersions(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	a := d.session(t, d.addAgent(t, "alice").ID)
	c := d.newCustomer(t, a, `{"name":"Claire"}`)
	path := "/customers/" + c.ID

	status, _, data := d.deskCall(t, a, "PUT", path, `{"name":"Claire B"}`)
	if e := decode[deskBody](t, data); status != http.StatusPreconditionRequired || e.Error.Code != "precondition_required" ||
		e.Error.Message != "Version manquante : rechargez la fiche." {
		t.Fatalf("no If-Match: got %d %s, want 428 precondition_required", status, data)
	}
	saved, h := mustDesk[rec.Customer](t, d, a, http.StatusOK, "PUT", path, `{"name":"Claire B"}`, "If-Match", `"1"`)
	if saved.Version != 2 || h.Get("ETag") != `"2"` || saved.UpdatedBy == "" {
		t.Fatalf("save: got %+v ETag %s, want version 2", saved, h.Get("ETag"))
	}
	status, h, data = d.deskCall(t, a, "PUT", path, `{"name":"Claire C"}`, "If-Match", `"1"`)
	e := decode[deskBody](t, data)
	current := decode[rec.Customer](t, e.Current)
	if status != http.StatusConflict || e.Error.Code != "conflict" || e.Error.Message != "Modifié par un autre agent." ||
		current.Name != "Claire B" || current.Version != 2 || h.Get("ETag") != `"2"` {
		t.Fatalf("stale: got %d %s ETag %s, want 409 with the current record at version 2", status, data, h.Get("ETag"))
	}

	status, _, data = d.deskCall(t, a, "PUT", path, `{"name":"","email":"pas-une-adresse","phone":"12"}`, "If-Match", `"2"`)
	e = decode[deskBody](t, data)
	if status != http.StatusUnprocessableEntity || e.Error.Code != "invalid" || e.Fields["name"] == "" ||
		e.Fields["email"] != "Adresse e-mail invalide." || e.Fields["phone"] == "" {
		t.Fatalf("invalid: got %d %s, want 422 with name, email and phone", status, data)
	}
	status, _, data = d.deskCall(t, a, "PUT", path, `{"name":"Claire","notes":"`+strings.Repeat("é", 2001)+`"}`, "If-Match", `"2"`)
	if e := decode[deskBody](t, data); status != http.StatusUnprocessableEntity || e.Fields["notes"] == "" {
		t.Fatalf("notes of 2,001 characters: got %d %s, want 422 notes", status, data)
	}

	other := d.newCustomer(t, a, `{"name":"Autre","email":"autre@exemple.fr"}`)
	status, _, data = d.deskCall(t, a, "PUT", path, `{"name":"Claire","email":"AUTRE@exemple.fr"}`, "If-Match", `"2"`)
	if e := decode[deskBody](t, data); status != http.StatusConflict || e.Error.Code != "duplicate" || e.Fields["email"] == "" {
		t.Fatalf("duplicate e-mail: got %d %s, want 409 duplicate naming email", status, data)
	}
	status, _, data = d.deskCall(t, a, "POST", "/customers", `{"name":"Encore","email":"autre@exemple.fr"}`)
	if status != http.StatusConflict || !strings.Contains(string(data), "duplicate") {
		t.Fatalf("create duplicate of %s: got %d %s, want 409 duplicate", other.ID, status, data)
	}
}

func TestDeskRequests(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	a := d.session(t, d.addAgent(t, "alice").ID)
	c := d.newCustomer(t, a, `{"name":"Claire"}`)
	r, h := mustDesk[rec.Request](t, d, a, http.StatusCreated, "POST", "/customers/"+c.ID+"/requests", `{"description":"Colis abîmé"}`)
	if r.Title != "Nouvelle demande" || r.Status != "open" || h.Get("ETag") != `"1"` {
		t.Fatalf("create: got %+v ETag %s", r, h.Get("ETag"))
	}
	path := "/requests/" + r.ID
	if _, h := mustDesk[rec.Request](t, d, a, http.StatusOK, "GET", path, ""); h.Get("ETag") != `"1"` {
		t.Errorf("get: ETag %s, want \"1\"", h.Get("ETag"))
	}
	if status, _, _ := d.deskCall(t, a, "PATCH", path, `{"status":"closed"}`); status != http.StatusPreconditionRequired {
		t.Errorf("patch without If-Match: got %d, want 428", status)
	}
	closed, h := mustDesk[rec.Request](t, d, a, http.StatusOK, "PATCH", path, `{"status":"closed","title":"Colis abîmé"}`, "If-Match", `"1"`)
	if closed.Status != "closed" || closed.ClosedAt == "" || closed.Title != "Colis abîmé" || closed.Description != "Colis abîmé" || h.Get("ETag") != `"2"` {
		t.Fatalf("patch: got %+v ETag %s", closed, h.Get("ETag"))
	}
	status, _, data := d.deskCall(t, a, "PATCH", path, `{"status":"open"}`, "If-Match", `"1"`)
	if e := decode[deskBody](t, data); status != http.StatusConflict || decode[rec.Request](t, e.Current).Status != "closed" {
		t.Fatalf("stale patch: got %d %s, want 409 with the closed request", status, data)
	}
	status, _, data = d.deskCall(t, a, "PATCH", path, `{"description":"`+strings.Repeat("x", 2001)+`","status":"en attente"}`, "If-Match", `"2"`)
	if e := decode[deskBody](t, data); status != http.StatusUnprocessableEntity || e.Fields["description"] == "" || e.Fields["status"] == "" {
		t.Fatalf("invalid patch: got %d %s, want 422 description and status", status, data)
	}
	j, _ := mustDesk[rec.Journey](t, d, a, http.StatusOK, "GET", "/customers/"+c.ID+"/journey", "")
	if len(j.Requests) != 1 || j.Requests[0].ID != r.ID || j.Requests[0].Activities == nil {
		t.Errorf("journey: got %+v", j.Requests)
	}
}

func TestDeskTags(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	a := d.session(t, d.addAgent(t, "alice").ID)
	in, err := d.records().Attach(context.Background(), rec.Taken{TaskID: "t1", ConversationID: "c1", AgentID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	path := "/activities/" + in.Activity.ID
	if _, h := mustDesk[rec.Activity](t, d, a, http.StatusOK, "GET", path, ""); h.Get("ETag") != `"1"` {
		t.Fatalf("get: ETag %s", h.Get("ETag"))
	}
	steps := []struct {
		name, method, tag string
		version           string
		status            int
		code              string
	}{
		{"no version", "POST", "Livraison", "", http.StatusPreconditionRequired, "precondition_required"},
		{"add", "POST", "Livraison", "1", http.StatusOK, ""},
		{"same in lower case", "POST", "livraison", "2", http.StatusConflict, "duplicate_tag"},
		{"add accented", "POST", "Réclamation", "2", http.StatusOK, ""},
		{"same without accent", "POST", "reclamation", "3", http.StatusConflict, "duplicate_tag"},
		{"too long", "POST", strings.Repeat("a", 51), "3", http.StatusUnprocessableEntity, "invalid"},
		{"stale", "POST", "Retour", "2", http.StatusConflict, "conflict"},
		{"remove without accent", "DELETE", "RECLAMATION", "3", http.StatusOK, ""},
		{"remove absent", "DELETE", "Retour", "4", http.StatusNotFound, "not_found"},
	}
	for _, s := range steps {
		var header []string
		if s.version != "" {
			header = []string{"If-Match", `"` + s.version + `"`}
		}
		var status int
		var data []byte
		if s.method == "POST" {
			body, _ := json.Marshal(map[string]string{"tag": s.tag})
			status, _, data = d.deskCall(t, a, "POST", path+"/tags", string(body), header...)
		} else {
			status, _, data = d.deskCall(t, a, "DELETE", path+"/tags/"+url.PathEscape(s.tag), "", header...)
		}
		e := decode[deskBody](t, data)
		if status != s.status || (s.code != "" && e.Error.Code != s.code) {
			t.Fatalf("%s: got %d %s, want %d %s", s.name, status, data, s.status, s.code)
		}
		if s.code == "duplicate_tag" && (e.Current != nil || e.Error.Message != "Ce tag existe déjà sur cette activité.") {
			t.Errorf("%s: got %s, want the message and no current record", s.name, data)
		}
	}
	got, _ := mustDesk[rec.Activity](t, d, a, http.StatusOK, "GET", path, "")
	if strings.Join(got.Tags, "|") != "Livraison" || got.Version != 4 {
		t.Errorf("tags: got %q version %d, want Livraison at version 4", got.Tags, got.Version)
	}
}
