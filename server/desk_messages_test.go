package server_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/relais/relais/conversation"
	rec "github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/store/storetest"
)

// leaveAMessage has a new anonymous customer ask for an agent and leave text; it returns
// the conversation.
func (d *deskInstance) leaveAMessage(t testing.TB, text string) created {
	t.Helper()
	c := d.open(t)
	d.say(t, c, "conseiller")
	status, _, data := call(t, "POST", d.url+"/api/v1/conversations/"+c.ID+"/leave", c.Token, `{"message":"`+text+`", "contact": " 06 12 34 56 78 "}`)
	if status != http.StatusNoContent {
		t.Fatalf("leave: got %d %s, want 204", status, data)
	}
	return c
}

// TestAnAnonymousMessageNeedsAContact: an anonymous customer leaving a message gives an e-mail
// or a phone; without one, or with one that is neither, 422 names the field and nothing is
// stored (the conversation stays open, its task live); the contact reaches the desk.
func TestAnAnonymousMessageNeedsAContact(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	cookie := d.session(t, d.addAgent(t, "alice").ID)
	c := d.open(t)
	d.say(t, c, "conseiller")
	leave := d.url + "/api/v1/conversations/" + c.ID + "/leave"
	for _, contact := range []string{"", "   ", "paul@", "12", "appelez-moi"} {
		status, _, data := call(t, "POST", leave, c.Token, `{"message":"Rappelez-moi.", "contact": "`+contact+`"}`)
		if e := decode[deskBody](t, data); status != http.StatusUnprocessableEntity || e.Fields["contact"] == "" {
			t.Fatalf("contact %q: got %d %s, want 422 with fields.contact", contact, status, data)
		}
	}
	if _, err := d.router.TaskOf(context.Background(), c.ID); err != nil {
		t.Fatalf("a refused message cancelled the task: %v", err)
	}
	if status, _, data := call(t, "POST", leave, c.Token, `{"message":"Rappelez-moi.", "contact": "paul.martin@example.fr"}`); status != http.StatusNoContent {
		t.Fatalf("with an e-mail: got %d %s, want 204", status, data)
	}
	list, _ := mustDesk[messagesBody](t, d, cookie, http.StatusOK, "GET", "/messages", "")
	if len(list.Messages) != 1 || list.Messages[0].Activity.Contact != "paul.martin@example.fr" {
		t.Fatalf("messages: got %+v, want one with the contact", list.Messages)
	}
}

type messagesBody struct {
	Messages []rec.Interaction `json:"messages"`
}

// TestLeftMessagesReachTheDesk: a left message is pushed to the desks, listed, readable
// with its transcript, filed under a new customer, and leaves the list when its request is
// closed.
func TestLeftMessagesReachTheDesk(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	cookie := d.session(t, d.addAgent(t, "alice").ID)
	dk := d.openDesk(t, cookie)
	c := d.leaveAMessage(t, "Rappelez-moi après 18 h.")
	dk.await(t, "messages envelope", isType("messages"))

	list, _ := mustDesk[messagesBody](t, d, cookie, http.StatusOK, "GET", "/messages", "")
	if len(list.Messages) != 1 {
		t.Fatalf("messages: got %d, want 1", len(list.Messages))
	}
	m := list.Messages[0]
	if m.Customer != nil || m.Activity.Message != "Rappelez-moi après 18 h." || m.Activity.ConversationID != c.ID ||
		m.Request.Title != "Message laissé par le client" || m.Request.Status != "open" {
		t.Errorf("message: got %+v", m)
	}
	tr, _ := mustDesk[struct {
		ID     string
		Events []conversation.Event
	}](t, d, cookie, http.StatusOK, "GET", "/conversations/"+c.ID+"/events", "")
	if tr.ID != c.ID || !saidByCustomer(tr.Events, "conseiller") {
		t.Errorf("transcript: got %+v, want the customer's « conseiller »", tr)
	}
	if n := len(tr.Events); n < 2 || tr.Events[n-2].From != conversation.FromCustomer ||
		tr.Events[n-2].Text != "Rappelez-moi après 18 h." || tr.Events[n-1].Type != conversation.TypeClosed {
		t.Errorf("transcript: got %+v, want the message left, then closed, at the end", tr.Events)
	}

	cu := d.newCustomer(t, cookie, `{"name":"Paul","message_id":"`+m.Activity.ID+`"}`)
	list, _ = mustDesk[messagesBody](t, d, cookie, http.StatusOK, "GET", "/messages", "")
	if len(list.Messages) != 1 || list.Messages[0].Customer == nil || list.Messages[0].Customer.ID != cu.ID {
		t.Fatalf("after create: got %+v, want the message with Paul", list.Messages)
	}
	other := d.newCustomer(t, cookie, `{"name":"Zoé"}`)
	status, _, data := d.deskCall(t, cookie, "POST", "/messages/"+m.Activity.ID+"/customer", `{"customer_id":"`+other.ID+`"}`)
	if e := decode[deskBody](t, data); status != http.StatusConflict || e.Error.Code != "already_linked" ||
		e.Error.Message != "Cette interaction est déjà liée à un autre client." || e.Current != nil {
		t.Errorf("link to another customer: got %d %s, want 409 already_linked", status, data)
	}

	closeRequest := `{"status":"closed"}`
	r := list.Messages[0].Request
	mustDesk[rec.Request](t, d, cookie, http.StatusOK, "PATCH", "/requests/"+r.ID, closeRequest, "If-Match", `"`+strconv.FormatInt(r.Version, 10)+`"`)
	dk.await(t, "messages envelope after close", isType("messages"))
	list, _ = mustDesk[messagesBody](t, d, cookie, http.StatusOK, "GET", "/messages", "")
	if len(list.Messages) != 0 {
		t.Errorf("after close: got %d messages, want none", len(list.Messages))
	}
}

func saidByCustomer(events []conversation.Event, text string) bool {
	for _, ev := range events {
		if ev.Type == conversation.TypeMessage && ev.From == conversation.FromCustomer && ev.Text == text {
			return true
		}
	}
	return false
}

// TestLinkMessageToExistingCustomer: any agent links a left message, which no agent holds,
// to a customer found by search.
func TestLinkMessageToExistingCustomer(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	cookie := d.session(t, d.addAgent(t, "alice").ID)
	d.leaveAMessage(t, "Mon colis est abîmé.")
	list, _ := mustDesk[messagesBody](t, d, cookie, http.StatusOK, "GET", "/messages", "")
	m := list.Messages[0]
	cu := d.newCustomer(t, cookie, `{"name":"Claire","email":"claire@example.fr"}`)
	linked, _ := mustDesk[rec.Interaction](t, d, cookie, http.StatusOK, "POST", "/messages/"+m.Activity.ID+"/customer", `{"customer_id":"`+cu.ID+`"}`)
	if linked.Customer == nil || linked.Customer.ID != cu.ID || linked.Request.CustomerID != cu.ID || linked.Activity.ID != m.Activity.ID {
		t.Errorf("link: got %+v, want the message's request moved to Claire", linked)
	}
	view, _ := mustDesk[struct {
		Customer *rec.Customer
		Journey  *rec.Journey
		Activity *rec.Activity
	}](t, d, cookie, http.StatusOK, "GET", "/messages/"+m.Activity.ID, "")
	if view.Customer == nil || view.Journey == nil || len(view.Journey.Requests) != 1 || view.Activity.Message != "Mon colis est abîmé." {
		t.Errorf("message context: got %+v, want Claire's journey with the message", view)
	}
}

func TestMessageRoutesRefuse(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	alice := d.addAgent(t, "alice")
	cookie := d.session(t, alice.ID)
	c := d.leaveAMessage(t, "Bonjour")
	list, _ := mustDesk[messagesBody](t, d, cookie, http.StatusOK, "GET", "/messages", "")
	msg := list.Messages[0].Activity.ID
	chat, err := d.records().Attach(t.Context(), rec.Taken{TaskID: "t1", ConversationID: "c1", AgentID: alice.ID})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		noCookie     bool
		method, path string
		body         string
		status       int
		code         string
	}{
		{name: "list without session", noCookie: true, method: "GET", path: "/messages", status: 401, code: "unauthorized"},
		{name: "transcript without session", noCookie: true, method: "GET", path: "/conversations/" + c.ID + "/events", status: 401, code: "unauthorized"},
		{name: "transcript of an unknown conversation", method: "GET", path: "/conversations/inconnue/events", status: 404, code: "not_found"},
		{name: "unknown message", method: "GET", path: "/messages/inconnu", status: 404, code: "not_found"},
		{name: "a chat is not a message", method: "GET", path: "/messages/" + chat.Activity.ID, status: 404, code: "not_found"},
		{name: "link a chat as a message", method: "POST", path: "/messages/" + chat.Activity.ID + "/customer", body: `{"customer_id":"x"}`, status: 404, code: "not_found"},
		{name: "link without customer", method: "POST", path: "/messages/" + msg + "/customer", body: `{}`, status: 422, code: "invalid"},
		{name: "link to an unknown customer", method: "POST", path: "/messages/" + msg + "/customer", body: `{"customer_id":"nobody"}`, status: 404, code: "not_found"},
		{name: "create for an unknown message", method: "POST", path: "/customers", body: `{"name":"Paul","email":"paul@example.fr","message_id":"inconnu"}`, status: 404, code: "not_found"},
		{name: "create for both", method: "POST", path: "/customers", body: `{"name":"Paul","email":"paul@example.fr","message_id":"` + msg + `","conversation_id":"` + c.ID + `"}`, status: 400, code: "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ck := cookie
			if tt.noCookie {
				ck = nil
			}
			status, _, data := d.deskCall(t, ck, tt.method, tt.path, tt.body)
			if e := decode[deskBody](t, data); status != tt.status || e.Error.Code != tt.code {
				t.Errorf("got %d %s, want %d %s", status, data, tt.status, tt.code)
			}
		})
	}
	found, _ := mustDesk[struct{ Customers []rec.Customer }](t, d, cookie, http.StatusOK, "GET", "/customers?email=paul@example.fr", "")
	if len(found.Customers) != 0 {
		t.Errorf("a refused create made a customer: %+v", found.Customers)
	}
}
