package server_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/store/storetest"
)

func TestASocketAheadOfTheStoreIsReset(t *testing.T) {
	st := storetest.Open(t)
	in := start(t, st, testConfig())
	c := in.open(t)
	ws := in.dial(t, c, "0")
	expectSeqs(t, ws, 1, 1) // the welcome
	in.say(t, c, "un")
	in.say(t, c, "deux")
	seen := expectSeqs(t, ws, 2, 5)
	storetest.RollBack(t, st, c.ID, 2) // « deux » and its answer are lost
	in.say(t, c, "trois")              // seq 4 and 5 again, other events
	if ev := next(t, ws); ev.Type != conversation.TypeReset {
		t.Fatalf("got %+v, want a reset", ev)
	}
	again := expectSeqs(t, ws, 1, 5)
	if again[3].Text != "trois" {
		t.Fatalf("after the reset: got %q at seq 4, want « trois »", again[3].Text)
	}
	t.Logf("the socket held %d events the store lost: reset, transcript read again", 2)

	// A client that comes back with the id of a lost event is reset at once.
	ws2 := in.dial(t, c, seen[3].ID)
	if ev := next(t, ws2); ev.Type != conversation.TypeReset {
		t.Fatalf("resuming after a lost event: got %+v, want a reset", ev)
	}
	expectSeqs(t, ws2, 1, 5)
	// With the id of an event still there, it resumes as before.
	ws3 := in.dial(t, c, again[4].ID)
	in.say(t, c, "quatre")
	if ev := next(t, ws3); ev.Seq != 6 {
		t.Fatalf("resuming after a kept event: got %+v, want seq 6", ev)
	}
}

func TestTheCapEndsTheConversationForTheCustomer(t *testing.T) {
	cfg := testConfig()
	cfg.MaxEvents = 20
	cfg.MessagesPerConversation = 0
	in := startOne(t, cfg)
	c := in.open(t)
	var status int
	var data []byte
	for i := 0; i < 20; i++ {
		status, _, data = call(t, "POST", in.url+"/api/v1/conversations/"+c.ID+"/messages", c.Token, `{"text":"message `+strconv.Itoa(i)+`"}`)
		if status != http.StatusOK {
			break
		}
	}
	if status != http.StatusConflict || !strings.Contains(string(data), "taille maximale") {
		t.Fatalf("got %d %s, want 409 with a French message", status, data)
	}
	evs := in.events(t, c, "0")
	n := len(evs)
	if n > cfg.MaxEvents || evs[n-2].From != conversation.FromSystem || evs[n-1].Type != conversation.TypeClosed {
		t.Fatalf("got %d events ending with %+v, want at most %d ending with a system message and closed", n, evs[n-2:], cfg.MaxEvents)
	}
	t.Logf("customer told: %s; transcript: %d events, ends with « %s »", data, n, evs[n-2].Text)
}

func TestADeskAheadOfTheStoreIsReset(t *testing.T) {
	st := storetest.Open(t)
	d := startDesk(t, st, testConfig())
	dk := d.openDesk(t, d.session(t, d.addAgent(t, "alice").ID))
	dk.setReady(t)
	c := d.open(t)
	d.takeOver(t, dk, c)
	d.say(t, c, "un")
	d.say(t, c, "deux")
	dk.await(t, "« deux »", func(m deskMsg) bool { return m.Type == "event" && m.Event.Text == "deux" })
	storetest.RollBack(t, st, c.ID, 1) // « deux » is lost
	d.say(t, c, "trois")               // at the seq « deux » had
	got := dk.await(t, "a reset", func(m deskMsg) bool { return m.Type == "reset" || m.Type == "event" && m.Event.Text == "trois" })
	if got.Type != "reset" || got.ConversationID != c.ID || got.Conversation == nil {
		t.Fatalf("got %+v, want a reset with the transcript", got)
	}
	// The reset's transcript has « un » and not « deux »; « trois » ends it, or comes next when
	// the socket noticed the rollback (at any wake) before « trois » was stored.
	evs := got.Conversation.Events
	texts := make([]string, 0, len(evs))
	for _, ev := range evs {
		texts = append(texts, ev.Text)
	}
	if slices.Contains(texts, "deux") || !slices.Contains(texts, "un") {
		t.Fatalf("reset transcript %q: want « un » and not « deux »", texts)
	}
	if evs[len(evs)-1].Text != "trois" {
		if m := dk.await(t, "« trois » after the reset", func(m deskMsg) bool { return m.Type == "event" }); m.Event.Text != "trois" {
			t.Fatalf("after a reset without « trois »: got %+v, want « trois »", m.Event)
		}
	}
	d.say(t, c, "quatre")
	if m := dk.await(t, "« quatre »", func(m deskMsg) bool { return m.Type == "event" }); m.Event.Text != "quatre" {
		t.Fatalf("after the reset: got %+v, want « quatre »", m.Event)
	}
}

func TestAFullConversationEndsForTheAgentToo(t *testing.T) {
	cfg := testConfig()
	cfg.MaxEvents = 20
	d := startDesk(t, storetest.Open(t), cfg)
	dk := d.openDesk(t, d.session(t, d.addAgent(t, "alice").ID))
	dk.setReady(t)
	c := d.open(t)
	d.takeOver(t, dk, c)
	var status int
	for i := 0; i < 20; i++ {
		if status, _, _ = call(t, "POST", d.url+"/api/v1/conversations/"+c.ID+"/messages", c.Token, `{"text":"encore"}`); status != http.StatusOK {
			break
		}
	}
	if status != http.StatusConflict {
		t.Fatalf("got %d, want 409 at the cap", status)
	}
	// The task is cancelled, as when the customer leaves: the desk lets the conversation go.
	dk.await(t, "the task released", func(m deskMsg) bool { return m.Type == "released" && m.ConversationID == c.ID })
}

// TestAReaderOfEventsAheadOfTheStoreIsReset: GET …/events?after= with the seq or the id of an
// event the store lost answers a reset then the transcript from the start; with a kept event,
// the events after it.
func TestAReaderOfEventsAheadOfTheStoreIsReset(t *testing.T) {
	st := storetest.Open(t)
	in := start(t, st, testConfig())
	c := in.open(t)
	in.say(t, c, "un")
	in.say(t, c, "deux")
	before := in.events(t, c, "0") // 1–5
	storetest.RollBack(t, st, c.ID, 2)
	in.say(t, c, "trois") // seq 4 and 5 again, other events
	for _, after := range []string{"7", before[3].ID} {
		evs := in.events(t, c, after)
		if len(evs) != 6 || evs[0].Type != conversation.TypeReset || evs[1].Seq != 1 || evs[4].Text != "trois" {
			t.Fatalf("after=%s (lost): got %+v, want a reset then seqs 1–5 with « trois » at 4", after, evs)
		}
	}
	kept := in.events(t, c, "0")
	if evs := in.events(t, c, kept[2].ID); len(evs) != 2 || evs[0].Seq != 4 || evs[0].Text != "trois" {
		t.Fatalf("after a kept event: got %+v, want seqs 4–5", evs)
	}
}
