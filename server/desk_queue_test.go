package server_test

import (
	"strings"
	"testing"

	"github.com/relais/relais/store/storetest"
)

// TestQueueTellsTheLastCustomerMessage: the queue envelope gives each waiting task its
// customer's last message, cut to 200 characters, and comes again when a waiting customer
// writes, with the new message.
func TestQueueTellsTheLastCustomerMessage(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	dk := d.openDesk(t, d.session(t, d.addAgent(t, "alice").ID)) // Non prêt: the task waits
	c := d.open(t)
	d.say(t, c, "conseiller")
	dk.await(t, "queue", func(m deskMsg) bool {
		return m.Type == "queue" && len(m.Tasks) == 1 && m.Tasks[0].LastCustomerMessage == "conseiller"
	})
	d.say(t, c, strings.Repeat("é", 250))
	want := strings.Repeat("é", 199) + "…"
	dk.await(t, "queue with the new message, cut", func(m deskMsg) bool {
		return m.Type == "queue" && len(m.Tasks) == 1 && m.Tasks[0].LastCustomerMessage == want
	})
}
