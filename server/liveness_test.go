package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/relais/relais/handoff"
	"github.com/relais/relais/server"
	"github.com/relais/relais/store/storetest"
)

// TestOffersSkipAgentsOfADeadProcess: an agent whose only desk socket was held by a process
// that died (it connected, then never renewed its lease) stops counting within the lease;
// the task goes to the agent of the live process long before an offer to the dead one would
// have expired.
func TestOffersSkipAgentsOfADeadProcess(t *testing.T) {
	cfg := testConfig()
	cfg.AgentHeartbeat, cfg.AgentLease = 100*time.Millisecond, 500*time.Millisecond
	cfg.OfferTimeout = 30 * time.Second // an offer to the dead agent would hold the task this long
	st := storetest.Open(t)
	router := handoff.NewRouter(st, handoff.Options{OfferTimeout: cfg.OfferTimeout, SocketLease: cfg.AgentLease})
	accounts := handoff.NewAccounts(st, handoff.AccountOptions{Cost: 10})
	bot := &fakeBot{}
	in := serve(t, bot, server.Deps{Store: st, Bot: bot, Static: testStatic, Router: router, Accounts: accounts}, cfg)
	d := &deskInstance{instance: in, router: router, accounts: accounts, st: st}

	ctx := context.Background()
	ghost := d.addAgent(t, "fantome")
	if _, err := router.Connect(ctx, ghost.ID, "socket-du-processus-mort"); err != nil {
		t.Fatal(err)
	}
	if _, err := router.SetState(ctx, ghost.ID, handoff.StateReady); err != nil {
		t.Fatal(err)
	}
	alice := d.addAgent(t, "alice")
	dk := d.openDesk(t, d.session(t, alice.ID))
	dk.setReady(t) // the ghost has been idle longer: it would be offered first

	c := in.open(t)
	d.say(t, c, "conseiller")
	// await gives up after 10 s, a third of the offer the ghost would hold: the offer reaches
	// the live agent only if the ghost stopped counting (skipped, or its offer withdrawn when
	// its lease ran out).
	offer := dk.await(t, "the offer to the live agent", func(m deskMsg) bool { return m.Type == "offer" && m.Task.ConversationID == c.ID })
	if offer.Task.ID == "" {
		t.Fatalf("offer without a task: %+v", offer)
	}
	ghostNow, err := router.AgentStatus(ctx, ghost.ID)
	if err != nil || ghostNow.Sockets != 0 || ghostNow.OfferTask != "" {
		t.Fatalf("the ghost: got %+v %v, want no socket counted and no offer held", ghostNow, err)
	}
}
