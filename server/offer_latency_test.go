package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/relais/relais/handoff"
	"github.com/relais/relais/store/storetest"
)

// TestOfferBehindTwentyTransfers measures how long an offer waits when it comes in the
// notices just after twenty assignments of long conversations (2,000 events each): a burst of
// transfers from one agent to another, all written before a customer asks for a human while a
// third agent is Prêt. It logs the offer's delay and the time until the twenty assignments
// arrived; it fails only when the offer or an assignment never comes.
func TestOfferBehindTwentyTransfers(t *testing.T) {
	if testing.Short() {
		t.Skip("fills 40,000 events")
	}
	const n = 20
	cfg := testConfig()
	cfg.MaxEvents = 0
	d := startDesk(t, storetest.Open(t), cfg)
	add := func(login string, capacity int) handoff.Agent {
		a, err := d.accounts.Add(context.Background(), handoff.NewAgent{Login: login, Name: "Agent " + login, Password: testPassword, Capacity: capacity})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	from, to, ready := add("alice", n), add("carole", n), add("bruno", 1)

	alice := openRawDesk(t, d, d.session(t, from.ID))
	var convs []string
	for range n {
		c := d.open(t)
		fillConversation(t, d, c.ID, 2000, 0)
		d.say(t, c, "conseiller")
		convs = append(convs, c.ID)
	}
	for _, id := range convs { // the desk lists only the queue's first tasks
		task, err := d.router.TaskOf(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		alice.send(t, map[string]string{"type": "pick", "task_id": task.ID})
	}
	for range n {
		alice.await(t, "assigned", anyMsg)
	}
	carole := openRawDesk(t, d, d.session(t, to.ID))
	bruno := openRawDesk(t, d, d.session(t, ready.ID))
	bruno.send(t, map[string]string{"type": "set_state", "state": "ready"})
	bruno.await(t, "state", func(m deskMsg) bool { return m.State == "ready" })
	x := d.open(t)

	began := time.Now()
	for _, id := range convs {
		alice.send(t, map[string]string{"type": "transfer", "conversation_id": id, "agent_id": to.ID})
	}
	// The twenty transfer notices are written (with the tasks) before the customer asks.
	for {
		tasks, err := d.router.AgentTasks(context.Background(), to.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(tasks) == n {
			break
		}
		time.Sleep(time.Millisecond)
	}
	d.say(t, x, "conseiller")
	asked := time.Now()
	bruno.await(t, "offer", isType("offer"))
	offered := time.Since(asked)
	for range n {
		carole.await(t, "assigned", anyMsg)
	}
	t.Logf("offer received %v after the customer's request; the %d transfers' assignments all received %v after the first transfer was sent",
		offered, n, time.Since(began))
}
