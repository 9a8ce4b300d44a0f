package server_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/relais/relais/store/storetest"
)

// TestSearchACustomersConversations: GET /desk/customers/{id}/conversations?q= finds the
// messages of the customer's chats holding the text, ignoring case and accents, newest chat
// first; a query too short is refused.
func TestSearchACustomersConversations(t *testing.T) {
	cfg := testConfig()
	cfg.IdentitySecret = testIdentitySecret
	d := startDesk(t, storetest.Open(t), cfg)
	alice := d.addAgent(t, "alice")
	cookie := d.session(t, alice.ID)
	dk := d.openDesk(t, cookie)
	dk.setReady(t)
	var customer string
	chat := func(text string) string {
		t.Helper()
		c := d.openAs(t, "cl-42", "Sophie Martin")
		as := d.takeOver(t, dk, c)
		customer = as.Desk.Customer.ID
		d.say(t, c, text)
		dk.await(t, "the customer's message", func(m deskMsg) bool { return m.Type == "event" && m.Event.Text == text })
		dk.send(t, map[string]string{"type": "close", "conversation_id": c.ID})
		dk.await(t, "released", isType("released"))
		return c.ID
	}
	first := chat("Ma commande n'est PAS arrivée")
	second := chat("Réclamation : la livraison est arrivée abîmée")

	type found struct {
		Matches []struct {
			ConversationID string `json:"conversation_id"`
			Seq            int64
			From, Text     string
		}
		Searched int
		More     bool
	}
	search := func(q string) found {
		t.Helper()
		got, _ := mustDesk[found](t, d, cookie, http.StatusOK, "GET", "/customers/"+customer+"/conversations?q="+url.QueryEscape(q), "")
		return got
	}
	got := search("ARRIVEE")
	if len(got.Matches) != 2 || got.Matches[0].ConversationID != second || got.Matches[1].ConversationID != first ||
		got.Matches[1].Text != "Ma commande n'est PAS arrivée" || got.Matches[1].From != "customer" || got.Matches[1].Seq == 0 || got.Searched != 2 || got.More {
		t.Errorf("« ARRIVEE »: got %+v, want both customer messages, the newest chat first", got)
	}
	if got := search("abîmé"); len(got.Matches) != 1 || got.Matches[0].ConversationID != second {
		t.Errorf("« abîmé »: got %+v, want the second chat", got)
	}
	if got := search("remboursement"); len(got.Matches) != 0 || got.Searched != 2 {
		t.Errorf("« remboursement »: got %+v, want nothing in 2 chats", got)
	}
	if status, _, _ := d.deskCall(t, cookie, "GET", "/customers/"+customer+"/conversations?q=a", ""); status != http.StatusBadRequest {
		t.Errorf("one letter: got %d, want 400", status)
	}
	if status, _, _ := d.deskCall(t, cookie, "GET", "/customers/inconnu/conversations?q=abc", ""); status != http.StatusNotFound {
		t.Errorf("unknown customer: got %d, want 404", status)
	}
}
