package server_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/handoff"
)

// handoffText makes the built-in bot hand the conversation over.
const handoffText = "je veux parler à un conseiller"

// TestKilledProcessLosesNoOfferNorConversation runs two real processes on the Redis of
// REDIS_URL and kills one (SIGKILL) while it holds an agent's pending offer and another
// agent's conversation: the offer's deadline still fires (from the survivor's sweeper) and
// the task goes to the next agent, connected on the survivor; the conversation goes on
// through the survivor, and its transcript holds every message once, in order, without gap.
func TestKilledProcessLosesNoOfferNorConversation(t *testing.T) {
	redisURL := os.Getenv("REDIS_URL")
	if redisURL == "" {
		t.Skip("REDIS_URL unset: two processes need a shared Redis")
	}
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	const offerTimeout = 2 * time.Second
	a, killA := runKillable(t, bin, redisURL, "RELAIS_OFFER_TIMEOUT="+offerTimeout.String())
	b, _ := runKillable(t, bin, redisURL, "RELAIS_OFFER_TIMEOUT="+offerTimeout.String())

	ctx := context.Background()
	router, accounts := processesRouter(t, redisURL)
	da := &deskInstance{instance: a, router: router, accounts: accounts}
	db := &deskInstance{instance: b, router: router, accounts: accounts}
	suffix := randomSuffix()
	agent := func(name string) handoff.Agent {
		ag, err := accounts.Add(ctx, handoff.NewAgent{Login: name + "-" + suffix, Name: "Agent " + name, Password: testPassword})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { // free their slots; the accounts stay (their sockets expire on their own)
			if tasks, err := router.AgentTasks(ctx, ag.ID); err == nil {
				for _, tk := range tasks {
					if tk.State == handoff.TaskAssigned {
						router.Close(ctx, ag.ID, tk.ConversationID)
					}
				}
			}
		})
		return ag
	}
	alice, carla, bruno := agent("alice"), agent("carla"), agent("bruno")

	// Alice, on A, takes c1, whose customer also talks to A.
	aliceA := da.openDesk(t, da.session(t, alice.ID))
	aliceA.await(t, "alice's state", isType("state"))
	aliceA.setReady(t)
	c1 := a.open(t)
	ws1 := &customerSocket{ws: a.dial(t, c1, "0")}
	a.say(t, c1, handoffText)
	offer := awaitOfferOf(t, aliceA, c1.ID)
	aliceA.send(t, map[string]string{"type": "accept", "task_id": offer.Task.ID})
	aliceA.await(t, "alice assigned", isType("assigned"))
	ws1.await(t, "agent_joined", func(ev conversation.Event) bool { return ev.Type == conversation.TypeAgentJoined })
	aliceA.send(t, map[string]string{"type": "message", "conversation_id": c1.ID, "text": "Bonjour, ici Alice."})
	ws1.await(t, "alice's first message", fromAgent("Bonjour, ici Alice."))
	a.say(t, c1, "ma commande n'est pas arrivée")
	aliceA.await(t, "the customer's message", customerSaid("ma commande n'est pas arrivée"))

	// Carla, on A, gets the offer of c2; Bruno is on B, not ready yet.
	carlaA := da.openDesk(t, da.session(t, carla.ID))
	carlaA.await(t, "carla's state", isType("state"))
	carlaA.setReady(t)
	brunoB := db.openDesk(t, db.session(t, bruno.ID))
	brunoB.await(t, "bruno's state", isType("state"))
	c2 := b.open(t)
	ws2 := &customerSocket{ws: b.dial(t, c2, "0")}
	b.say(t, c2, handoffText)
	first := awaitOfferOf(t, carlaA, c2.ID)

	killA() // mid-offer and mid-conversation
	brunoB.setReady(t)
	second := awaitOfferOf(t, brunoB, c2.ID)
	if now := time.Now(); now.Before(first.ExpiresAt) {
		t.Fatalf("offered to bruno at %v, before carla's offer expired at %v", now, first.ExpiresAt)
	}
	if second.Task.ID != first.Task.ID {
		t.Fatalf("got task %s for bruno, want the one offered to carla, %s", second.Task.ID, first.Task.ID)
	}
	if st, err := router.AgentStatus(ctx, carla.ID); err != nil || st.State != handoff.StateNotReady {
		t.Errorf("carla after her offer expired: got %+v %v, want not_ready", st, err)
	}
	brunoB.send(t, map[string]string{"type": "accept", "task_id": second.Task.ID})
	brunoB.await(t, "bruno assigned", isType("assigned"))
	ws2.await(t, "bruno joined", func(ev conversation.Event) bool {
		return ev.Type == conversation.TypeAgentJoined && ev.Agent == "Agent bruno"
	})
	brunoB.send(t, map[string]string{"type": "message", "conversation_id": c2.ID, "text": "Bruno à votre service."})
	ws2.await(t, "bruno's message", fromAgent("Bruno à votre service."))

	// c1 goes on through B: the customer's websocket resumes after what it saw, and Alice's
	// desk, reopened on B, gets her conversation back with its transcript.
	ws1.drain(t)
	ws1.ws = b.dial(t, c1, ws1.lastSeq())
	aliceB := db.openDesk(t, db.session(t, alice.ID))
	back := aliceB.await(t, "alice's conversation back", func(m deskMsg) bool {
		return m.Type == "assigned" && m.Conversation != nil && m.Conversation.ID == c1.ID
	})
	if n := countText(back.Conversation.Events, "ma commande n'est pas arrivée"); n != 1 {
		t.Errorf("transcript on B: the customer's message %d times, want once", n)
	}
	aliceB.send(t, map[string]string{"type": "message", "conversation_id": c1.ID, "text": "Je regarde votre commande."})
	ws1.await(t, "alice's message through B", fromAgent("Je regarde votre commande."))
	b.say(t, c1, "merci")
	aliceB.await(t, "the customer's thanks", customerSaid("merci"))
	aliceB.send(t, map[string]string{"type": "close", "conversation_id": c1.ID})
	ws1.await(t, "closed", func(ev conversation.Event) bool { return ev.Type == conversation.TypeClosed })

	events := b.events(t, c1, "0")
	for i, ev := range events {
		if ev.Seq != int64(i+1) {
			t.Fatalf("transcript: event %d has seq %d, want %d (gap or duplicate):\n%+v", i, ev.Seq, i+1, events)
		}
	}
	for _, text := range []string{handoffText, "Bonjour, ici Alice.", "ma commande n'est pas arrivée", "Je regarde votre commande.", "merci"} {
		if n := countText(events, text); n != 1 {
			t.Errorf("transcript: %q %d times, want once", text, n)
		}
	}
	for typ, want := range map[string]int{conversation.TypeAgentJoined: 1, conversation.TypeClosed: 1} {
		if got := count(events, typ); got != want {
			t.Errorf("transcript: %d %s events, want %d", got, typ, want)
		}
	}
	// The customer's two websockets together saw the transcript exactly.
	if len(ws1.seen) != len(events) {
		t.Fatalf("the customer's websockets saw %d events, the transcript has %d", len(ws1.seen), len(events))
	}
	for i, ev := range ws1.seen {
		if ev.Seq != events[i].Seq || ev.Type != events[i].Type || ev.Text != events[i].Text {
			t.Errorf("websocket event %d: got %+v, want %+v", i, ev, events[i])
		}
	}
}

// customerSocket is a customer's websocket that remembers every event it read.
type customerSocket struct {
	ws   *websocket.Conn
	seen []conversation.Event
}

func (c *customerSocket) await(t *testing.T, what string, ok func(conversation.Event) bool) conversation.Event {
	t.Helper()
	for {
		ev := next(t, c.ws)
		if n := len(c.seen); n > 0 && ev.Seq != c.seen[n-1].Seq+1 {
			t.Fatalf("waiting for %s: got seq %d after %d", what, ev.Seq, c.seen[n-1].Seq)
		}
		c.seen = append(c.seen, ev)
		if ok(ev) {
			return ev
		}
	}
}

// drain records what the socket still holds until it fails (its process is gone).
func (c *customerSocket) drain(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, data, err := c.ws.Read(ctx)
		if ctx.Err() != nil {
			t.Fatal("the customer's websocket on the killed process still holds after 10 s")
		}
		if err != nil {
			return
		}
		var ev conversation.Event
		if err := json.Unmarshal(data, &ev); err != nil {
			t.Fatalf("websocket event %s: %v", data, err)
		}
		c.seen = append(c.seen, ev)
	}
}

func (c *customerSocket) lastSeq() string {
	if len(c.seen) == 0 {
		return "0"
	}
	return strconv.FormatInt(c.seen[len(c.seen)-1].Seq, 10)
}

// awaitOfferOf waits for the offer of conversation convID, rejecting offers of other
// conversations (tasks left in the shared Redis by something else).
func awaitOfferOf(t *testing.T, dk *desk, convID string) deskMsg {
	t.Helper()
	for {
		m := dk.await(t, "offer of "+convID, isType("offer"))
		if m.Task != nil && m.Task.ConversationID == convID {
			return m
		}
		if m.Task != nil {
			dk.send(t, map[string]string{"type": "reject", "task_id": m.Task.ID})
		}
	}
}

func fromAgent(text string) func(conversation.Event) bool {
	return func(ev conversation.Event) bool { return ev.From == conversation.FromAgent && ev.Text == text }
}

func customerSaid(text string) func(deskMsg) bool {
	return func(m deskMsg) bool {
		return m.Type == "event" && m.Event != nil && m.Event.From == conversation.FromCustomer && m.Event.Text == text
	}
}

func countText(events []conversation.Event, text string) int {
	n := 0
	for _, ev := range events {
		if ev.Type == conversation.TypeMessage && ev.Text == text {
			n++
		}
	}
	return n
}

func randomSuffix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// runKillable starts `relais serve` like runProcess, without rate limits and with extra
// environment, and returns a function that kills it with SIGKILL and waits for its end.
func runKillable(t *testing.T, bin, redisURL string, env ...string) (*instance, func()) {
	t.Helper()
	env = append([]string{"RELAIS_RATE_IP=0", "RELAIS_RATE_IP_CONVERSATIONS=0", "RELAIS_RATE_CONVERSATION=0"}, env...)
	cmd, in, done := startProcess(t, bin, redisURL, env...)
	kill := func() {
		cmd.Process.Kill()
		<-done
	}
	t.Cleanup(kill)
	return in, kill
}
