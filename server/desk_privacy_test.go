package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/privacy"
	"github.com/relais/relais/store/storetest"
)

// TestSupervisorErasesAndExportsFromTheDesk: an agent's erasure and export are refused with
// 403 and the code forbidden; a supervisor exports a customer (their conversation in it),
// erases them (the conversation and its waiting task go, the proof is in the audit trail
// under the supervisor's login), and erases an anonymous conversation by id.
func TestSupervisorErasesAndExportsFromTheDesk(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	d := startDesk(t, st, testConfig())
	d.addAgent(t, "alice")
	chef := d.addAgent(t, "chef")
	if err := d.accounts.SetRole(ctx, chef.ID, handoff.RoleSupervisor); err != nil {
		t.Fatal(err)
	}
	agent, boss := d.login(t, "alice"), d.login(t, "chef")
	if me := decode[struct{ Role string }](t, d.get(t, boss, "/api/v1/agent/me")); me.Role != "superviseur" {
		t.Errorf("agent/me role %q, want superviseur", me.Role)
	}
	c := d.newCustomer(t, agent, `{"name": "Gaëlle Fontaine", "email": "gaelle.fontaine@example.fr"}`)
	conv := d.open(t)
	d.say(t, conv, "conseiller") // a waiting routing task
	if err := d.records().SetConversationCustomer(ctx, conv.ID, c.ID, time.Hour); err != nil {
		t.Fatal(err)
	}

	for _, r := range []struct{ method, path, body string }{
		{"POST", "/customers/" + c.ID + "/erase", `{"confirm": true}`},
		{"GET", "/customers/" + c.ID + "/export", ""},
		{"POST", "/conversations/" + conv.ID + "/erase", `{"confirm": true}`},
		{"GET", "/conversations/" + conv.ID + "/export", ""},
	} {
		e, _ := mustDesk[errBody](t, d, agent, http.StatusForbidden, r.method, r.path, r.body)
		if e.Error.Code != apperr.Forbidden || !strings.Contains(e.Error.Message, "superviseur") {
			t.Errorf("%s %s as an agent: %+v", r.method, r.path, e.Error)
		}
	}

	x, h := mustDesk[privacy.Export](t, d, boss, http.StatusOK, "GET", "/customers/"+c.ID+"/export", "")
	if x.Customer == nil || x.Customer.Name != "Gaëlle Fontaine" || len(x.Conversations) != 1 || x.Conversations[0].ID != conv.ID ||
		!strings.HasPrefix(h.Get("Content-Disposition"), "attachment") {
		t.Errorf("export: %+v, Content-Disposition %q", x, h.Get("Content-Disposition"))
	}
	if e, _ := mustDesk[errBody](t, d, boss, http.StatusBadRequest, "POST", "/customers/"+c.ID+"/erase", `{}`); !strings.Contains(e.Error.Message, "Confirmez") {
		t.Errorf("erasure without confirm: %+v", e.Error)
	}
	rep, _ := mustDesk[privacy.Report](t, d, boss, http.StatusOK, "POST", "/customers/"+c.ID+"/erase", `{"confirm": true}`)
	if rep.Counts["customers"] != 1 || rep.Counts["conversations"] != 1 || rep.Counts["tasks"] != 1 || rep.By != "chef" {
		t.Errorf("erasure report %+v", rep)
	}
	mustDesk[errBody](t, d, boss, http.StatusNotFound, "GET", "/customers/"+c.ID, "")
	if status, _, _ := call(t, "GET", d.url+"/api/v1/conversations/"+conv.ID+"/events", conv.Token, ""); status != http.StatusNotFound && status != http.StatusUnauthorized {
		t.Errorf("the erased conversation answers %d", status)
	}
	if _, err := d.router.TaskOf(ctx, conv.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("the erased conversation's task: %v", err)
	}

	anon := d.open(t)
	d.say(t, anon, "mon numéro : 06 99 88 77 66")
	rep, _ = mustDesk[privacy.Report](t, d, boss, http.StatusOK, "POST", "/conversations/"+anon.ID+"/erase", `{"confirm": true}`)
	if rep.Subject != privacy.SubjectConversation || rep.Counts["conversations"] != 1 {
		t.Errorf("anonymous erasure %+v", rep)
	}
	mustDesk[errBody](t, d, boss, http.StatusNotFound, "POST", "/conversations/court/erase", `{"confirm": true}`)

	entries, err := privacy.NewAudit(st, time.Hour, nil).Entries(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if e.Action == privacy.ActionErase || e.Action == privacy.ActionExport {
			got = append(got, e.Action+" "+e.Subject+" "+e.By)
			if e.From == "" || strings.Contains(e.SubjectHash, c.ID) {
				t.Errorf("entry %+v", e)
			}
		}
	}
	if want := "export customer chef,erase customer chef,erase conversation chef"; strings.Join(got, ",") != want {
		t.Errorf("audit: %v, want %s", got, want)
	}
}

// errBody is the JSON form of an error.
type errBody struct {
	Error struct {
		Code    apperr.Code
		Message string
	}
}

// get is a GET of path on d as the agent of cookie, which must answer 200.
func (d *deskInstance) get(t testing.TB, cookie *http.Cookie, path string) []byte {
	t.Helper()
	status, _, data := call(t, "GET", d.url+path, "", "", "Cookie", cookie.Name+"="+cookie.Value)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, status, data)
	}
	return data
}
