package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/handoff"
	"github.com/relais/relais/privacy"
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

// TestSearchEveryConversation: GET /desk/conversations?q= finds, for any agent, the
// conversations of every customer the desk handled by the words of their messages — a
// known customer's words written before an agent took the chat, an anonymous customer's and
// an agent's written while the agent held it —, newest first, with the line; a search is
// audited without its terms, a bad one refused; an erased conversation is found no more.
func TestSearchEveryConversation(t *testing.T) {
	cfg := testConfig()
	cfg.IdentitySecret = testIdentitySecret
	st := storetest.Open(t)
	d := startDesk(t, st, cfg)
	alice, bob := d.addAgent(t, "alice"), d.addAgent(t, "bob")
	dk := d.openDesk(t, d.session(t, alice.ID))
	dk.setReady(t)

	sophie := d.openAs(t, "cl-7", "Sophie Martin")
	d.say(t, sophie, "Mon colis Zorglub est resté au dépôt de Villeurbanne")
	d.takeOver(t, dk, sophie)
	dk.send(t, map[string]string{"type": "close", "conversation_id": sophie.ID})
	dk.await(t, "released", isType("released"))

	anon := d.open(t)
	d.takeOver(t, dk, anon)
	d.say(t, anon, "Le voisin a signé pour mon colis ZORGLUB")
	dk.send(t, map[string]string{"type": "message", "conversation_id": anon.ID, "text": "Je relance le transporteur Villeurbanne"})
	// The desk's commands run in turn: the refusal of the next one comes once the message
	// was stored and indexed.
	dk.send(t, map[string]string{"type": "inconnue"})
	dk.await(t, "the refusal of the next command", isType("error"))

	type found struct {
		Conversations []struct {
			ConversationID string `json:"conversation_id"`
			ActivityID     string `json:"activity_id"`
			CustomerID     string `json:"customer_id"`
			CustomerName   string `json:"customer_name"`
			AgentName      string `json:"agent_name"`
			Seq            int64
			From, Text     string
		}
		More bool
	}
	cookie := d.session(t, bob.ID)
	search := func(q string) found {
		t.Helper()
		got, _ := mustDesk[found](t, d, cookie, http.StatusOK, "GET", "/conversations?q="+url.QueryEscape(q), "")
		return got
	}
	got := search("zorglub colis")
	if len(got.Conversations) != 2 || got.More {
		t.Fatalf("« zorglub colis »: %+v, want both conversations", got)
	}
	first, second := got.Conversations[0], got.Conversations[1]
	if first.ConversationID != anon.ID || first.CustomerID != "" || first.CustomerName != "" || first.From != "customer" ||
		first.Text != "Le voisin a signé pour mon colis ZORGLUB" || first.Seq == 0 || first.AgentName != alice.Name || first.ActivityID == "" {
		t.Errorf("newest: %+v, want the anonymous customer's line", first)
	}
	if second.ConversationID != sophie.ID || second.CustomerName != "Sophie Martin" || second.CustomerID == "" ||
		second.Text != "Mon colis Zorglub est resté au dépôt de Villeurbanne" {
		t.Errorf("older: %+v, want Sophie Martin's line written before the handoff", second)
	}
	got = search("villeurbanne transporteur")
	if len(got.Conversations) != 1 || got.Conversations[0].ConversationID != anon.ID || got.Conversations[0].From != "agent" {
		t.Errorf("« villeurbanne transporteur »: %+v, want the agent's line", got)
	}
	if got := search("villeurbanne depot"); len(got.Conversations) != 1 || got.Conversations[0].ConversationID != sophie.ID {
		t.Errorf("« villeurbanne depot »: %+v, want Sophie's conversation", got)
	}
	if got := search("conseiller"); len(got.Conversations) != 2 {
		t.Errorf("« conseiller »: %d conversations, want both (the customers asked for one)", len(got.Conversations))
	}
	for _, q := range []string{"z", "un deux trois quatre cinq six sept huit neuf"} {
		if status, _, body := d.deskCall(t, cookie, "GET", "/conversations?q="+url.QueryEscape(q), ""); status != http.StatusBadRequest ||
			!strings.Contains(string(body), `"invalid"`) {
			t.Errorf("%q: got %d %s, want 400 invalid", q, status, body)
		}
	}

	entries, err := privacy.NewAudit(st, time.Hour, nil).Entries(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	searches := 0
	for _, e := range entries {
		if e.Action == privacy.ActionSearch && e.Subject == privacy.SubjectConversation {
			searches++
			if e.By != "bob" || e.SubjectHash != "" {
				t.Errorf("search entry %+v, want bob's without a subject", e)
			}
		}
	}
	if searches != 4 {
		t.Errorf("%d searches audited, want 4 (the refused ones are not)", searches)
	}

	if err := d.accounts.SetRole(context.Background(), bob.ID, handoff.RoleSupervisor); err != nil {
		t.Fatal(err)
	}
	mustDesk[struct{}](t, d, cookie, http.StatusOK, "POST", "/conversations/"+sophie.ID+"/erase", `{"confirm": true}`)
	if got := search("zorglub"); len(got.Conversations) != 1 || got.Conversations[0].ConversationID != anon.ID {
		t.Errorf("« zorglub » after Sophie's conversation was erased: %+v", got)
	}
}

// TestSearchWhileQueued: a customer's message written while their conversation waits in the
// queue again (an agent put it back) is found at once; one written in a conversation no
// agent ever took is not indexed at all.
func TestSearchWhileQueued(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	alice := d.addAgent(t, "alice")
	cookie := d.session(t, alice.ID)
	dk := d.openDesk(t, cookie)
	dk.setReady(t)
	c := d.open(t)
	d.takeOver(t, dk, c)
	mustDesk[map[string]any](t, d, cookie, http.StatusOK, "POST", "/conversations/"+c.ID+"/transfer", `{"to": "queue", "reason": "Je pars en pause"}`)
	dk.await(t, "released", func(m deskMsg) bool { return m.Type == "released" && m.ConversationID == c.ID })
	if !hasSystem(d.events(t, c, "0"), "transmise à un autre conseiller") {
		t.Fatal("the conversation is not back in the queue")
	}
	d.say(t, c, "Toujours pas de nouvelles du wombat")
	dk.send(t, map[string]string{"type": "set_state", "state": "not_ready"})
	dk.await(t, "state not_ready", func(m deskMsg) bool { return m.Type == "state" && m.State == "not_ready" })
	never := d.open(t)
	d.say(t, never, "conseiller")
	d.say(t, never, "Un wombat aussi chez moi")

	got, _ := mustDesk[struct {
		Conversations []struct {
			ConversationID string `json:"conversation_id"`
		}
	}](t, d, cookie, http.StatusOK, "GET", "/conversations?q=wombat", "")
	if len(got.Conversations) != 1 || got.Conversations[0].ConversationID != c.ID {
		t.Errorf("« wombat »: %+v, want the conversation back in the queue only", got)
	}
	if n, err := d.st.Client.Exists(context.Background(), d.st.Key("conv", never.ID, "words")).Result(); err != nil || n != 0 {
		t.Errorf("the conversation no agent took has words in the index (%d, %v)", n, err)
	}
}
