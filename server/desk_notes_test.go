package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/conversation"
)

// TestNotesNeverReachTheCustomer writes an internal note, then reads every customer route
// (the answer to a message, the events, the websocket from the start) up to a later agent
// message: the note is in none of them, and the desk reads it.
func TestNotesNeverReachTheCustomer(t *testing.T) {
	h := startTwoAgents(t)
	d, alice, ca, cb, dk, c := h.d, h.alice, h.ca, h.cb, h.dk, h.c

	const secret = "NOTE-INTERNE-8F3A"
	n, _ := mustDesk[conversation.Note](t, d, ca, http.StatusCreated, "POST", "/conversations/"+c.ID+"/notes", `{"text": "  `+secret+` client pressé  "}`)
	if n.Text != secret+" client pressé" || n.AgentName != alice.Name || n.ID == "" {
		t.Errorf("note: got %+v", n)
	}
	dk.send(t, map[string]string{"type": "message", "conversation_id": c.ID, "text": "après la note"})

	ws := d.dial(t, c, "0")
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, frame, err := ws.Read(ctx)
		cancel()
		if err != nil {
			t.Fatalf("customer websocket: %v", err)
		}
		if strings.Contains(string(frame), secret) {
			t.Fatalf("customer websocket sent the note: %s", frame)
		}
		if strings.Contains(string(frame), "après la note") {
			break
		}
	}
	_, _, events := call(t, "GET", d.url+"/api/v1/conversations/"+c.ID+"/events?after=0", c.Token, "")
	_, _, answer := call(t, "POST", d.url+"/api/v1/conversations/"+c.ID+"/messages", c.Token, `{"text": "merci"}`)
	for route, body := range map[string][]byte{"events": events, "messages": answer} {
		if strings.Contains(string(body), secret) {
			t.Errorf("customer route %s sent the note: %s", route, body)
		}
	}

	got, _ := mustDesk[struct{ Notes []conversation.Note }](t, d, cb, http.StatusOK, "GET", "/conversations/"+c.ID+"/notes", "")
	if len(got.Notes) != 1 || got.Notes[0].ID != n.ID {
		t.Errorf("another agent reads the notes: got %+v, want the one note", got.Notes)
	}
}

func TestNoteRoutesRefuse(t *testing.T) {
	h := startTwoAgents(t)
	d, ca, cb, c := h.d, h.ca, h.cb, h.c
	long := strings.Repeat("é", 2001)
	for _, tc := range []struct {
		name, body string
		cookie     *http.Cookie
		path       string
		want       int
	}{
		{"another agent's conversation", `{"text": "x"}`, cb, "/conversations/" + c.ID + "/notes", http.StatusForbidden},
		{"empty once trimmed", `{"text": " \n "}`, ca, "/conversations/" + c.ID + "/notes", http.StatusBadRequest},
		{"over 2,000 characters", `{"text": "` + long + `"}`, ca, "/conversations/" + c.ID + "/notes", http.StatusBadRequest},
		{"unknown conversation", `{"text": "x"}`, ca, "/conversations/inconnue/notes", http.StatusNotFound},
		{"no session", `{"text": "x"}`, nil, "/conversations/" + c.ID + "/notes", http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, _, body := d.deskCall(t, tc.cookie, "POST", tc.path, tc.body); got != tc.want {
				t.Errorf("got %d %s, want %d", got, body, tc.want)
			}
		})
	}
	if got, _, body := d.deskCall(t, ca, "GET", "/conversations/inconnue0000000000000/notes", ""); got != http.StatusNotFound {
		t.Errorf("notes of an unknown conversation: got %d %s, want 404", got, body)
	}
}
