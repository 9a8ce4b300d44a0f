package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/conversation"
	rec "github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/store/storetest"
)

const testIdentitySecret = "secret-d-identite-de-test"

// openAs opens a conversation with a signed identity for sub.
func (d *deskInstance) openAs(t testing.TB, sub, name string) created {
	t.Helper()
	token := rec.SignIdentity([]byte(testIdentitySecret), rec.Identity{Sub: sub, Name: name, Exp: time.Now().Add(time.Hour).Unix()})
	body, _ := json.Marshal(map[string]string{"identity": token})
	status, _, data := call(t, "POST", d.url+"/api/v1/conversations", "", string(body))
	if status != http.StatusCreated {
		t.Fatalf("create with identity: got %d %s, want 201", status, data)
	}
	return decode[created](t, data)
}

// takeOver hands conversation c over and has the ready desk accept it; it returns the
// assigned envelope.
func (d *deskInstance) takeOver(t testing.TB, dk *desk, c created) deskMsg {
	t.Helper()
	d.say(t, c, "conseiller")
	offer := dk.await(t, "offer", func(m deskMsg) bool { return m.Type == "offer" && m.Task.ConversationID == c.ID })
	dk.send(t, map[string]string{"type": "accept", "task_id": offer.Task.ID})
	return dk.await(t, "assigned", func(m deskMsg) bool { return m.Type == "assigned" && m.Task.ConversationID == c.ID })
}

func TestAcceptAttachesToANewRequestForAnUnknownCustomer(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	alice := d.addAgent(t, "alice")
	cookie := d.session(t, alice.ID)
	dk := d.openDesk(t, cookie)
	dk.setReady(t)
	c := d.open(t)
	assigned := d.takeOver(t, dk, c)
	in := assigned.Desk
	if in == nil || in.Customer != nil || in.Request.CustomerID != "" || in.Request.Title != "Nouvelle demande" {
		t.Fatalf("desk: got %+v, want a new request without customer", in)
	}
	a := in.Activity
	if a.Kind != "chat" || a.AgentID != alice.ID || a.AgentName != alice.Name || a.ConversationID != c.ID ||
		a.TaskID != assigned.Task.ID || a.Summary != "demande un conseiller" || a.RequestID != in.Request.ID {
		t.Errorf("activity: got %+v", a)
	}
	ctxView, _ := mustDesk[struct {
		Task     json.RawMessage
		Customer *rec.Customer
		Request  *rec.Request
		Activity *rec.Activity
	}](t, d, cookie, http.StatusOK, "GET", "/conversations/"+c.ID, "")
	if ctxView.Activity == nil || ctxView.Activity.ID != a.ID || ctxView.Request.ID != in.Request.ID || ctxView.Customer != nil || ctxView.Task == nil {
		t.Errorf("context: got %+v, want the task, the activity and no customer", ctxView)
	}

	// The agent creates the customer from the interaction: the request moves to them.
	cu := d.newCustomer(t, cookie, `{"name":"Claire","conversation_id":"`+c.ID+`"}`)
	req, _ := mustDesk[rec.Request](t, d, cookie, http.StatusOK, "GET", "/requests/"+in.Request.ID, "")
	if req.CustomerID != cu.ID {
		t.Errorf("after create with conversation_id: request customer %q, want %s", req.CustomerID, cu.ID)
	}

	dk.send(t, map[string]string{"type": "close", "conversation_id": c.ID})
	dk.await(t, "released", isType("released"))
	// "released" comes from the notice stream, the activity's end from the close command:
	// either may be first.
	var ended rec.Activity
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		ended, _ = mustDesk[rec.Activity](t, d, cookie, http.StatusOK, "GET", "/activities/"+a.ID, "")
		if ended.EndedAt != "" || time.Now().After(deadline) {
			break
		}
	}
	if ended.EndedAt == "" || ended.CustomerID != cu.ID {
		t.Errorf("after close: got %+v, want ended_at set and the customer", ended)
	}
}

func TestAcceptAttachesToTheMostRecentOpenRequest(t *testing.T) {
	cfg := testConfig()
	cfg.IdentitySecret = testIdentitySecret
	d := startDesk(t, storetest.Open(t), cfg)
	alice := d.addAgent(t, "alice")
	cookie := d.session(t, alice.ID)
	dk := d.openDesk(t, cookie)
	dk.setReady(t)

	c := d.openAs(t, "client-42", "Léa Durand")
	first := d.takeOver(t, dk, c)
	if first.Task.CustomerID == "" || first.Desk == nil || first.Desk.Customer == nil || first.Desk.Customer.ExternalID != "client-42" {
		t.Fatalf("first: got task %+v desk %+v, want the identified customer", first.Task, first.Desk)
	}
	customerID := first.Desk.Customer.ID
	older, _ := mustDesk[rec.Request](t, d, cookie, http.StatusCreated, "POST", "/customers/"+customerID+"/requests", `{"title":"Facture"}`)
	dk.send(t, map[string]string{"type": "hand_back", "conversation_id": c.ID})
	dk.await(t, "released", isType("released"))

	// The same customer again, in another conversation: the most recent open request.
	c2 := d.openAs(t, "client-42", "Léa Durand")
	second := d.takeOver(t, dk, c2)
	if second.Desk == nil || second.Desk.Request.ID != older.ID || second.Desk.Customer.ID != customerID {
		t.Fatalf("second: got %+v, want the request %s", second.Desk, older.ID)
	}
	j, _ := mustDesk[rec.Journey](t, d, cookie, http.StatusOK, "GET", "/customers/"+customerID+"/journey", "")
	if len(j.Requests) != 2 || j.Requests[0].ID != older.ID || len(j.Requests[0].Activities) != 1 || len(j.Requests[1].Activities) != 1 ||
		j.Requests[1].Activities[0].EndedAt == "" {
		t.Errorf("journey: got %+v, want two requests, the first activity ended", j.Requests)
	}
}

func TestPickAttachesAndLinkMovesTheActivity(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	alice := d.addAgent(t, "alice")
	cookie := d.session(t, alice.ID)
	dk := d.openDesk(t, cookie)
	dk.await(t, "state", isType("state"))
	c := d.open(t)
	d.say(t, c, "conseiller")
	task, err := d.router.TaskOf(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	dk.send(t, map[string]string{"type": "pick", "task_id": task.ID})
	assigned := dk.await(t, "assigned", isType("assigned"))
	if assigned.Desk == nil || assigned.Desk.Activity.TaskID != task.ID {
		t.Fatalf("pick: got desk %+v, want the task's activity", assigned.Desk)
	}
	cu := d.newCustomer(t, cookie, `{"name":"Claire"}`)
	open, _ := mustDesk[rec.Request](t, d, cookie, http.StatusCreated, "POST", "/customers/"+cu.ID+"/requests", `{"title":"En cours"}`)

	bob := d.session(t, d.addAgent(t, "bob").ID)
	if status, _, _ := d.deskCall(t, bob, "POST", "/conversations/"+c.ID+"/customer", `{"customer_id":"`+cu.ID+`"}`); status != http.StatusForbidden {
		t.Errorf("link by an agent who does not hold it: got %d, want 403", status)
	}
	if status, _, _ := d.deskCall(t, cookie, "POST", "/conversations/"+c.ID+"/customer", `{}`); status != http.StatusUnprocessableEntity {
		t.Errorf("link without customer: got %d, want 422", status)
	}
	linked, _ := mustDesk[rec.Interaction](t, d, cookie, http.StatusOK, "POST", "/conversations/"+c.ID+"/customer", `{"customer_id":"`+cu.ID+`"}`)
	if linked.Request.ID != open.ID || linked.Activity.RequestID != open.ID || linked.Customer == nil || linked.Customer.ID != cu.ID {
		t.Fatalf("link: got %+v, want the activity under %s", linked, open.ID)
	}
	if status, _, _ := d.deskCall(t, cookie, "GET", "/requests/"+assigned.Desk.Request.ID, ""); status != http.StatusNotFound {
		t.Errorf("the emptied request: got %d, want 404 (deleted)", status)
	}
	view, _ := mustDesk[struct {
		Customer *rec.Customer
		Journey  *rec.Journey
	}](t, d, cookie, http.StatusOK, "GET", "/conversations/"+c.ID, "")
	if view.Customer == nil || view.Customer.ID != cu.ID || view.Journey == nil || len(view.Journey.Requests) != 1 {
		t.Errorf("context after link: got %+v", view)
	}
}

func TestTransferChangesTheActivityAgent(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	alice, bob := d.addAgent(t, "alice"), d.addAgent(t, "bob")
	dkA := d.openDesk(t, d.session(t, alice.ID))
	dkA.setReady(t)
	dkB := d.openDesk(t, d.session(t, bob.ID))
	dkB.await(t, "state", isType("state"))
	c := d.open(t)
	assigned := d.takeOver(t, dkA, c)
	dkA.send(t, map[string]string{"type": "transfer", "conversation_id": c.ID, "agent_id": bob.ID})
	got := dkB.await(t, "assigned to bob", isType("assigned"))
	if got.Desk == nil || got.Desk.Activity.ID != assigned.Desk.Activity.ID || got.Desk.Activity.AgentID != bob.ID || got.Desk.Activity.AgentName != bob.Name {
		t.Fatalf("transfer: got %+v, want the same activity for bob", got.Desk)
	}
}

func TestNoAgentOffersToLeaveAMessage(t *testing.T) {
	cfg := testConfig()
	cfg.IdentitySecret = testIdentitySecret
	d := startDesk(t, storetest.Open(t), cfg)
	cookie := d.session(t, d.addAgent(t, "alice").ID)
	c := d.openAs(t, "client-7", "Paul")
	ws := d.dial(t, c, "0")
	d.say(t, c, "conseiller")
	msg := awaitEvent(t, ws, "no agent", func(ev conversation.Event) bool {
		return ev.From == conversation.FromSystem && strings.Contains(ev.Text, "Aucun conseiller")
	})
	if strings.Join(msg.QuickReplies, "|") != "Patienter|Laisser un message" {
		t.Errorf("quick replies: got %q, want Patienter and Laisser un message", msg.QuickReplies)
	}
	leave := d.url + "/api/v1/conversations/" + c.ID + "/leave"
	status, _, data := call(t, "POST", leave, c.Token, `{"message":"`+strings.Repeat("é", 2001)+`"}`)
	if e := decode[deskBody](t, data); status != http.StatusUnprocessableEntity || e.Fields["message"] == "" {
		t.Fatalf("message of 2,001 characters: got %d %s, want 422", status, data)
	}
	if _, err := d.router.TaskOf(context.Background(), c.ID); err != nil {
		t.Fatalf("a refused message cancelled the task: %v", err)
	}
	if status, _, data := call(t, "POST", leave, c.Token, `{"message":"Rappelez-moi après 18 h."}`); status != http.StatusNoContent {
		t.Fatalf("leave: got %d %s, want 204", status, data)
	}
	if _, err := d.router.TaskOf(context.Background(), c.ID); err == nil {
		t.Errorf("task still live after leaving a message")
	}
	view, _ := mustDesk[struct{ Journey *rec.Journey }](t, d, cookie, http.StatusOK, "GET", "/conversations/"+c.ID, "")
	if view.Journey == nil || len(view.Journey.Requests) != 1 {
		t.Fatalf("journey: got %+v, want the request of the message", view.Journey)
	}
	r := view.Journey.Requests[0]
	if r.Title != "Message laissé par le client" || len(r.Activities) != 1 || r.Activities[0].Kind != "message" ||
		r.Activities[0].Message != "Rappelez-moi après 18 h." || r.Activities[0].Intent != "mise_en_relation_agent" {
		t.Errorf("request: got %+v", r)
	}
	if status, _, _ := call(t, "POST", leave, c.Token, `{"message":"encore"}`); status != http.StatusNoContent {
		t.Errorf("leave again: got %d, want 204", status)
	}
	view, _ = mustDesk[struct{ Journey *rec.Journey }](t, d, cookie, http.StatusOK, "GET", "/conversations/"+c.ID, "")
	if len(view.Journey.Requests) != 1 {
		t.Errorf("leave again filed another message: %d requests", len(view.Journey.Requests))
	}
}
