package server_test

import (
	"testing"

	"github.com/relais/relais/conversation"
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
	if ev := next(t, ws); ev.Seq != 2 || ev.From != conversation.FromCustomer {
		t.Fatalf("got %+v, want the customer's message as event 2", ev)
	}
	if ev := next(t, ws); ev.Type != conversation.TypeTyping || ev.From != conversation.FromBot || ev.Seq != 0 {
		t.Fatalf("got %+v, want the bot typing, without seq", ev)
	}
	close(in.bot.slow)
	expectSeqs(t, ws, 3, 3)
	<-done
	for _, ev := range in.events(t, c, "0") {
		if ev.Type == conversation.TypeTyping {
			t.Errorf("transcript holds %+v, want no typing event", ev)
		}
	}
}
