package server_test

import (
	"net/http"
	"testing"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/store/storetest"
)

// TestSlowBotTypesOnTheWebsocket: a bot that takes longer than a moment shows the customer's
// live websocket a transient typing event (no sequence number, not in the transcript).
func TestSlowBotTypesOnTheWebsocket(t *testing.T) {
	in := startOne(t, testConfig())
	in.bot.slow = make(chan struct{})
	c := in.open(t)
	ws := in.dial(t, c, "1") // after the welcome
	done := make(chan struct{})
	go func() {
		defer close(done)
		in.say(t, c, "lent")
	}()
	if ev := next(t, ws); ev.Type != conversation.TypeTyping || ev.From != conversation.FromBot || ev.Seq != 0 {
		t.Fatalf("got %+v, want the bot typing, without seq", ev)
	}
	close(in.bot.slow)
	expectSeqs(t, ws, 2, 3) // the message and its answer, stored together
	<-done
	for _, ev := range in.events(t, c, "0") {
		if ev.Type == conversation.TypeTyping {
			t.Errorf("transcript holds %+v, want no typing event", ev)
		}
	}
}

// TestCustomerTypingReachesTheAgent: while an agent answers, the customer's typing reaches
// their desk as a transient event, never stored; with the bot it is accepted and dropped.
func TestCustomerTypingReachesTheAgent(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	dk := d.openDesk(t, d.session(t, d.addAgent(t, "alice").ID))
	dk.setReady(t)
	c := d.open(t)
	typing := d.url + "/api/v1/conversations/" + c.ID + "/typing"
	if status, _, data := call(t, "POST", typing, c.Token, ""); status != http.StatusNoContent {
		t.Fatalf("typing with the bot: got %d %s, want 204", status, data)
	}
	if status, _, _ := call(t, "POST", typing, "mauvais-jeton", ""); status != http.StatusForbidden {
		t.Errorf("typing with a bad token: got %d, want 403", status)
	}
	d.takeOver(t, dk, c)
	// A typing event is transient (at most once, never replayed): wait until the desk's
	// subscription to the conversation delivers, with a message the agent must receive.
	d.say(t, c, "bonjour")
	dk.await(t, "the customer's message", func(m deskMsg) bool {
		return m.Type == "event" && m.Event.From == conversation.FromCustomer && m.Event.Text == "bonjour"
	})
	if status, _, data := call(t, "POST", typing, c.Token, ""); status != http.StatusNoContent {
		t.Fatalf("typing with the agent: got %d %s, want 204", status, data)
	}
	got := dk.await(t, "the customer's typing", func(m deskMsg) bool { return m.Type == "event" && m.Event.Type == conversation.TypeTyping })
	if got.Event.From != conversation.FromCustomer || got.Event.Seq != 0 || got.ConversationID != c.ID {
		t.Errorf("got %+v, want a transient typing event from the customer", got.Event)
	}
	for _, ev := range d.events(t, c, "0") {
		if ev.Type == conversation.TypeTyping && ev.From == conversation.FromCustomer {
			t.Errorf("transcript holds %+v, want no customer typing", ev)
		}
	}
}
