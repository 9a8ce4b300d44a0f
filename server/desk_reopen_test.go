package server_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/handoff"
	rec "github.com/relais/relais/handoff/desk"
)

// TestReopenAClosedConversation: the agent who closed a conversation takes it back with
// POST /desk/conversations/{id}/reopen: their desk gets it assigned again, the customer reads
// that the agent is back and writes again; the closed event said until when. Another agent,
// or a conversation not closed yet, is refused.
func TestReopenAClosedConversation(t *testing.T) {
	h := startTwoAgents(t)
	d, alice, ca, cb, dk, c := h.d, h.alice, h.ca, h.cb, h.dk, h.c
	reopen := "/conversations/" + c.ID + "/reopen"
	if status, _, body := d.deskCall(t, ca, "POST", reopen, ""); status != http.StatusConflict {
		t.Fatalf("reopen a conversation in progress: got %d %s, want 409", status, body)
	}

	ws := d.dial(t, c, "0")
	dk.send(t, map[string]string{"type": "close", "conversation_id": c.ID})
	closed := awaitEvent(t, ws, "closed", func(ev conversation.Event) bool { return ev.Type == conversation.TypeClosed })
	dk.await(t, "released", isType("released"))
	if w := closed.ReopenUntil.Sub(closed.At); w < 4*time.Minute || w > 5*time.Minute {
		t.Errorf("closed: reopen_until %v for a close at %v, want 5 minutes after the close", closed.ReopenUntil, closed.At)
	}
	limits, _ := mustDesk[struct{ Limits map[string]int }](t, d, ca, http.StatusOK, "GET", "/limits", "")
	if limits.Limits["reopen_seconds"] != 300 {
		t.Errorf("limits: reopen_seconds %d, want 300", limits.Limits["reopen_seconds"])
	}

	if status, _, body := d.deskCall(t, cb, "POST", reopen, ""); status != http.StatusForbidden {
		t.Fatalf("bob reopens alice's conversation: got %d %s, want 403", status, body)
	}
	got, _ := mustDesk[struct{ Task handoff.Task }](t, d, ca, http.StatusOK, "POST", reopen, "")
	if got.Task.State != handoff.TaskAssigned || got.Task.AgentID != alice.ID {
		t.Fatalf("reopen: got %+v, want the task assigned to alice", got.Task)
	}
	again := dk.await(t, "assigned again", func(m deskMsg) bool { return m.Type == "assigned" && m.Task.ConversationID == c.ID })
	if again.Desk == nil {
		t.Fatal("assigned again without its desk records")
	}
	act, _ := mustDesk[rec.Activity](t, d, ca, http.StatusOK, "GET", "/activities/"+again.Desk.Activity.ID, "")
	if act.EndedAt != "" || act.ConversationID != c.ID {
		t.Errorf("the reopened interaction's activity: got %+v, want the same one, not ended", act)
	}
	events := d.events(t, c, "0")
	if !hasSystem(events, "a rouvert la conversation") || events[len(events)-2].Type != conversation.TypeAgentJoined {
		t.Fatalf("the customer was not told of the reopening: %+v", events)
	}
	if ans := d.say(t, c, "encore une question"); len(ans.Events) != 0 {
		t.Errorf("the customer's message after the reopening: got %+v, want no answer from the bot", ans.Events)
	}
	dk.await(t, "the customer's message", func(m deskMsg) bool {
		return m.Type == "event" && m.ConversationID == c.ID && m.Event.Text == "encore une question"
	})
	if status, _, _ := d.deskCall(t, ca, "POST", reopen, ""); status != http.StatusConflict {
		t.Errorf("reopen again while in progress: got %d, want 409", status)
	}
}
