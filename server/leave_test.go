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

// TestCustomerErasesTheirConversation: DELETE /api/v1/conversations/{id} with its token
// erases the conversation — its task cancelled (the agent's desk sees it end) and deleted, no
// key of it left, 404 afterwards — and the audit trail keeps the proof, with the customer as who asked
// and without the conversation's id; another token is refused and erases nothing.
func TestCustomerErasesTheirConversation(t *testing.T) {
	st := storetest.Open(t)
	d := startDesk(t, st, testConfig())
	dk := d.openDesk(t, d.session(t, d.addAgent(t, "alice").ID))
	dk.setReady(t)
	c := d.open(t)
	d.takeOver(t, dk, c)
	d.say(t, c, "mon adresse est 12 rue des Lilas")
	url := d.url + "/api/v1/conversations/" + c.ID
	if status, _, _ := call(t, "DELETE", url, "pas-le-bon-jeton", ""); status != http.StatusForbidden {
		t.Fatalf("another token: got %d, want 403", status)
	}
	if status, _, data := call(t, "DELETE", url, c.Token, ""); status != http.StatusNoContent {
		t.Fatalf("erase: got %d %s, want 204", status, data)
	}
	dk.await(t, "released", isType("released"))
	if status, _, _ := call(t, "GET", url+"/events?after=0", c.Token, ""); status != http.StatusNotFound {
		t.Fatalf("events after the erasure: got %d, want 404", status)
	}
	ctx := context.Background()
	if keys, err := st.Client.Keys(ctx, st.Prefix+"*{"+c.ID+"}*").Result(); err != nil || len(keys) != 0 {
		t.Fatalf("keys of the conversation left: %v %v", keys, err)
	}
	// Its routing task went too; only the notices the desks still read name it (the sweep
	// deletes them a minute later).
	for _, line := range storetest.Lines(storetest.Dump(t, st), c.ID) {
		if !strings.Contains(line, "{handoff}:notices stream") {
			t.Errorf("the erased conversation is still named: %.200s", line)
		}
	}
	entries, err := privacy.NewAudit(st, time.Hour, nil).Entries(ctx, 10)
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit: got %+v %v, want one entry", entries, err)
	}
	e := entries[0]
	if e.Action != privacy.ActionErase || e.By != "client" || e.SubjectHash != privacy.SubjectHash(privacy.SubjectConversation, c.ID) ||
		e.Counts["events"] == 0 {
		t.Errorf("audit entry: got %+v, want the customer's erasure of the conversation with its counts", e)
	}
	if status, _, _ := call(t, "DELETE", url, c.Token, ""); status != http.StatusNotFound {
		t.Errorf("erasing again: got %d, want 404 (the token went with it)", status)
	}
}
