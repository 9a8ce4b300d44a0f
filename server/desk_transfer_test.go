package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/store/storetest"
)

// hasSystem says whether events hold a system message containing text.
func hasSystem(events []conversation.Event, text string) bool {
	for _, ev := range events {
		if ev.Type == conversation.TypeMessage && ev.From == conversation.FromSystem && strings.Contains(ev.Text, text) {
			return true
		}
	}
	return false
}

// notesOf reads a conversation's notes as an agent.
func (d *deskInstance) notesOf(t *testing.T, cookie *http.Cookie, id string) []conversation.Note {
	t.Helper()
	got, _ := mustDesk[struct{ Notes []conversation.Note }](t, d, cookie, http.StatusOK, "GET", "/conversations/"+id+"/notes", "")
	return got.Notes
}

// TestTransferWithAReason walks a conversation from alice to bob (a colleague who is Prêt),
// from bob back to the queue (offered to alice again), then from alice back to the bot: each
// time the reason is a note the next agent reads, the customer reads a system message, and
// the agent who gave it away sees it released.
func TestTransferWithAReason(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	alice, bob := d.addAgent(t, "alice"), d.addAgent(t, "bob")
	ca, cb := d.session(t, alice.ID), d.session(t, bob.ID)
	dkA, dkB := d.openDesk(t, ca), d.openDesk(t, cb)
	dkA.setReady(t)
	c := d.open(t)
	d.takeOver(t, dkA, c)

	got, _ := mustDesk[struct{ Agents []struct{ ID, Name string } }](t, d, ca, http.StatusOK, "GET", "/colleagues", "")
	if len(got.Agents) != 0 {
		t.Fatalf("colleagues while bob is Non prêt: got %+v, want none", got.Agents)
	}
	dkB.setReady(t)
	got, _ = mustDesk[struct{ Agents []struct{ ID, Name string } }](t, d, ca, http.StatusOK, "GET", "/colleagues", "")
	if len(got.Agents) != 1 || got.Agents[0].ID != bob.ID || got.Agents[0].Name != bob.Name {
		t.Fatalf("colleagues: got %+v, want bob only", got.Agents)
	}

	mustDesk[map[string]any](t, d, ca, http.StatusOK, "POST", "/conversations/"+c.ID+"/transfer",
		`{"to": "agent", "agent_id": "`+bob.ID+`", "reason": "  Question de facturation  "}`)
	dkA.await(t, "released for alice", func(m deskMsg) bool { return m.Type == "released" && m.ConversationID == c.ID })
	as := dkB.await(t, "assigned to bob", func(m deskMsg) bool { return m.Type == "assigned" && m.Task.ConversationID == c.ID })
	if as.Conversation == nil || count(as.Conversation.Events, conversation.TypeMessage) == 0 {
		t.Errorf("bob's assignment: got %+v, want the transcript", as.Conversation)
	}
	notes := d.notesOf(t, cb, c.ID)
	if len(notes) != 1 || notes[0].Text != "Transférée à "+bob.Name+" — motif : Question de facturation" || notes[0].AgentName != alice.Name {
		t.Fatalf("notes bob reads: got %+v, want alice's reason", notes)
	}
	if !hasSystem(d.events(t, c, "0"), "transmis votre conversation à un collègue") {
		t.Errorf("the customer was not told of the transfer: %+v", d.events(t, c, "0"))
	}

	mustDesk[map[string]any](t, d, cb, http.StatusOK, "POST", "/conversations/"+c.ID+"/transfer", `{"to": "queue", "reason": "Je pars en pause"}`)
	dkB.await(t, "released for bob", func(m deskMsg) bool { return m.Type == "released" && m.ConversationID == c.ID })
	offer := dkA.await(t, "offer to alice", func(m deskMsg) bool { return m.Type == "offer" && m.Task.ConversationID == c.ID })
	dkA.send(t, map[string]string{"type": "accept", "task_id": offer.Task.ID})
	dkA.await(t, "assigned to alice", func(m deskMsg) bool { return m.Type == "assigned" && m.Task.ConversationID == c.ID })
	if !hasSystem(d.events(t, c, "0"), "transmise à un autre conseiller") {
		t.Errorf("the customer was not told of the return to the queue")
	}

	mustDesk[map[string]any](t, d, ca, http.StatusOK, "POST", "/conversations/"+c.ID+"/transfer", `{"to": "bot", "reason": "Demande de suivi simple"}`)
	dkA.await(t, "released for alice", func(m deskMsg) bool { return m.Type == "released" && m.ConversationID == c.ID })
	if !hasSystem(d.events(t, c, "0"), "redirigé vers l'assistant automatique") {
		t.Errorf("the customer was not told of the hand back")
	}
	if n := d.notesOf(t, ca, c.ID); len(n) != 3 || n[2].Text != "Rendue à l'assistant — motif : Demande de suivi simple" {
		t.Errorf("notes: got %+v, want three reasons", n)
	}
}

// TestTransferRefusals: every bad request gets a French error and changes nothing: alice
// still holds the conversation, no note is written, the customer is told nothing.
func TestTransferRefusals(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	alice, bob, carol := d.addAgent(t, "alice"), d.addAgent(t, "bob"), d.addAgent(t, "carol")
	ca, cb := d.session(t, alice.ID), d.session(t, bob.ID)
	dkA := d.openDesk(t, ca)
	dkA.setReady(t)
	d.openDesk(t, cb).await(t, "bob's state", isType("state")) // Non prêt
	c := d.open(t)
	d.takeOver(t, dkA, c)
	path := "/conversations/" + c.ID + "/transfer"
	for _, tc := range []struct {
		name, body string
		cookie     *http.Cookie
		path       string
		want       int
		message    string
	}{
		{"no destination", `{"reason": "x"}`, ca, path, 400, "Choisissez où transférer"},
		{"unknown destination", `{"to": "lune", "reason": "x"}`, ca, path, 400, "Choisissez où transférer"},
		{"no colleague", `{"to": "agent", "reason": "x"}`, ca, path, 400, "Choisissez le collègue"},
		{"to oneself", `{"to": "agent", "agent_id": "` + alice.ID + `", "reason": "x"}`, ca, path, 400, "propre conversation"},
		{"empty reason", `{"to": "queue", "reason": "  \n "}`, ca, path, 400, "Indiquez le motif"},
		{"reason of 501 characters", `{"to": "queue", "reason": "` + strings.Repeat("é", 501) + `"}`, ca, path, 400, "Le motif dépasse 500 caractères (501 saisis)."},
		{"unknown colleague", `{"to": "agent", "agent_id": "personne", "reason": "x"}`, ca, path, 404, "introuvable"},
		{"colleague Non prêt", `{"to": "agent", "agent_id": "` + bob.ID + `", "reason": "x"}`, ca, path, 409, "plus disponible"},
		{"colleague Hors ligne", `{"to": "agent", "agent_id": "` + carol.ID + `", "reason": "x"}`, ca, path, 409, "plus disponible"},
		{"another agent's conversation", `{"to": "queue", "reason": "x"}`, cb, path, 403, "pas attribuée"},
		{"unknown conversation", `{"to": "queue", "reason": "x"}`, ca, "/conversations/inconnue/transfer", 404, ""},
		{"not JSON", `reason`, ca, path, 400, "JSON invalide"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, body := d.deskCall(t, tc.cookie, "POST", tc.path, tc.body)
			if got != tc.want || !strings.Contains(decode[errorBody](t, body).Error.Message, tc.message) {
				t.Errorf("got %d %s, want %d with %q", got, body, tc.want, tc.message)
			}
		})
	}
	task, err := d.router.TaskOf(context.Background(), c.ID)
	if err != nil || task.State != handoff.TaskAssigned || task.AgentID != alice.ID {
		t.Errorf("after the refusals: got %+v %v, want the task still alice's", task, err)
	}
	if n := d.notesOf(t, ca, c.ID); len(n) != 0 {
		t.Errorf("refusals wrote notes: %+v", n)
	}
	if ev := d.events(t, c, "0"); hasSystem(ev, "transmis") || hasSystem(ev, "redirigé") {
		t.Errorf("the customer was told of a transfer that did not happen")
	}
}
