package handoff_test

import (
	"strconv"
	"testing"

	"github.com/relais/relais/handoff"
)

// BenchmarkEnqueueOfferAccept measures one handoff: enqueue (offered at once to the Prêt
// agent), accept, then close to free the agent for the next one. Three scripts per op.
func BenchmarkEnqueueOfferAccept(b *testing.B) {
	h := newHarness(b)
	a := h.agents(1, 1)[0]
	h.ready(a)
	b.ResetTimer()
	for i := range b.N {
		conv := "c" + strconv.Itoa(i)
		task, _, err := h.r.Enqueue(h.ctx, handoff.NewTask{ConversationID: conv, Summary: "résumé"})
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := h.r.Accept(h.ctx, a, task.ID); err != nil {
			b.Fatal(err)
		}
		if _, err := h.r.Close(h.ctx, a, conv); err != nil {
			b.Fatal(err)
		}
	}
}
