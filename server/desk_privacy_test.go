package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
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

	photo := []byte("\x89PNG\r\n\x1a\nla photo du colis")
	if _, err := conversation.NewStore(st, conversation.Options{}).PutAttachment(ctx, conv.ID, "colis.png", photo,
		conversation.AttachmentQuota{Files: 1, Bytes: 1 << 10}); err != nil {
		t.Fatal(err)
	}
	x, h := mustDesk[privacy.Export](t, d, boss, http.StatusOK, "GET", "/customers/"+c.ID+"/export?format=json", "")
	if x.Customer == nil || x.Customer.Name != "Gaëlle Fontaine" || len(x.Conversations) != 1 || x.Conversations[0].ID != conv.ID ||
		!strings.HasPrefix(h.Get("Content-Disposition"), "attachment") || len(x.Conversations[0].Attachments) != 1 {
		t.Errorf("export: %+v, Content-Disposition %q", x, h.Get("Content-Disposition"))
	}
	zipExportHoldsThePhoto(t, d, boss, "/customers/"+c.ID+"/export", photo)
	if e, _ := mustDesk[errBody](t, d, boss, http.StatusBadRequest, "GET", "/customers/"+c.ID+"/export?format=pdf", ""); e.Error.Code != apperr.Invalid {
		t.Errorf("export as pdf: %+v", e.Error)
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
	if want := "export customer chef,export customer chef,erase customer chef,erase conversation chef"; strings.Join(got, ",") != want {
		t.Errorf("audit: %v, want %s", got, want)
	}
}

// zipExportHoldsThePhoto: the export at path is a ZIP whose export.json names the photo's
// entry, which holds its bytes.
func zipExportHoldsThePhoto(t *testing.T, d *deskInstance, boss *http.Cookie, path string, photo []byte) {
	t.Helper()
	status, h, data := d.deskCall(t, boss, "GET", path, "")
	if status != http.StatusOK || h.Get("Content-Type") != "application/zip" || !strings.HasSuffix(h.Get("Content-Disposition"), `.zip"`) {
		t.Fatalf("ZIP export: %d %q %q", status, h.Get("Content-Type"), h.Get("Content-Disposition"))
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	entries := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		entries[f.Name], _ = io.ReadAll(r)
		r.Close()
	}
	x := decode[privacy.Export](t, entries[privacy.ArchiveDocument])
	if len(x.Conversations) != 1 || len(x.Conversations[0].Attachments) != 1 {
		t.Fatalf("export.json: %+v", x)
	}
	a := x.Conversations[0].Attachments[0]
	if !bytes.Equal(entries[a.File], photo) || !strings.HasSuffix(a.File, "-colis.png") || len(entries) != 2 {
		t.Errorf("the photo's entry %q: %q (%d entries), want its bytes", a.File, entries[a.File], len(entries))
	}
}

// TestSupervisorReadsTheAuditTrail: a supervisor reads the audit trail from the desk, all of
// it, one customer's or one transcript's entries only, or the last ones; an agent is
// refused, and so are a bad limit and two subjects at once.
func TestSupervisorReadsTheAuditTrail(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	d := startDesk(t, st, testConfig())
	d.addAgent(t, "alice")
	chef := d.addAgent(t, "chef")
	if err := d.accounts.SetRole(ctx, chef.ID, handoff.RoleSupervisor); err != nil {
		t.Fatal(err)
	}
	agent, boss := d.login(t, "alice"), d.login(t, "chef")
	c := d.newCustomer(t, agent, `{"name": "Hugo Lambert", "email": "hugo.lambert@example.fr"}`)
	other := d.newCustomer(t, agent, `{"name": "Inès Roy"}`)
	mustDesk[struct{}](t, d, agent, http.StatusOK, "GET", "/customers/"+c.ID, "")
	mustDesk[struct{}](t, d, agent, http.StatusOK, "GET", "/customers/"+other.ID, "")
	conv := d.open(t)
	mustDesk[struct{}](t, d, agent, http.StatusOK, "GET", "/conversations/"+conv.ID+"/events?limit=50", "") // a transcript read

	type trail struct{ Entries []privacy.Entry }
	all, _ := mustDesk[trail](t, d, boss, http.StatusOK, "GET", "/audit", "")
	var got []string
	for _, e := range all.Entries {
		got = append(got, e.Action+" "+e.Subject+" "+e.By)
	}
	if want := "login agent alice,login agent chef,create customer alice,create customer alice,read customer alice,read customer alice,read conversation alice"; strings.Join(got, ",") != want {
		t.Errorf("audit: %v, want %s", got, want)
	}
	hers, _ := mustDesk[trail](t, d, boss, http.StatusOK, "GET", "/audit?customer="+c.ID, "")
	if len(hers.Entries) != 1 || hers.Entries[0].Action != privacy.ActionRead || hers.Entries[0].SubjectHash != privacy.SubjectHash(privacy.SubjectCustomer, c.ID) {
		t.Errorf("his entries: %+v, want the read", hers.Entries)
	}
	read, _ := mustDesk[trail](t, d, boss, http.StatusOK, "GET", "/audit?conversation="+conv.ID, "")
	if len(read.Entries) != 1 || read.Entries[0].By != "alice" || read.Entries[0].SubjectHash != privacy.SubjectHash(privacy.SubjectConversation, conv.ID) {
		t.Errorf("the transcript's entries: %+v, want alice's read", read.Entries)
	}
	last, _ := mustDesk[trail](t, d, boss, http.StatusOK, "GET", "/audit?limit=2", "")
	if len(last.Entries) != 2 || last.Entries[1].ID != all.Entries[len(all.Entries)-1].ID {
		t.Errorf("limit=2: %+v, want the last two", last.Entries)
	}
	if e, _ := mustDesk[errBody](t, d, agent, http.StatusForbidden, "GET", "/audit", ""); e.Error.Code != apperr.Forbidden {
		t.Errorf("an agent reads the trail: %+v", e.Error)
	}
	for _, q := range []string{"?limit=0", "?limit=dix", "?limit=5000", "?customer=a&conversation=b"} {
		if e, _ := mustDesk[errBody](t, d, boss, http.StatusBadRequest, "GET", "/audit"+q, ""); e.Error.Code != apperr.Invalid {
			t.Errorf("%s: %+v", q, e.Error)
		}
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
