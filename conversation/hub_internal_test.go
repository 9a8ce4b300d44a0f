package conversation

import (
	"testing"
)

// The notification of an append of this process that arrives before the append has handed its
// events over does not wake the reader (it would read the stream for them); the hand-over does.
func TestNotificationOfALocalAppendUnderWayWaitsForItsEvents(t *testing.T) {
	s := &Store{}
	h := &Hub{s: s, subs: map[string]map[*Subscription]struct{}{}, inflight: map[string]int{}}
	c := make(chan struct{}, 1)
	sub := &Subscription{C: c, c: c, hub: h, id: "c1", channel: "ch"}
	h.subs["ch"] = map[*Subscription]struct{}{sub: {}}

	h.begin("ch")
	h.received("ch", "2")
	select {
	case <-sub.C:
		t.Fatal("woken by the notification of an append under way")
	default:
	}
	h.end("ch", []Event{{Seq: 1}, {Seq: 2}})
	select {
	case <-sub.C:
	default:
		t.Fatal("not woken by the hand-over")
	}
	if len(sub.pending) != 2 || sub.notified != 2 {
		t.Fatalf("pending %v notified %d, want the two events and 2", sub.pending, sub.notified)
	}

	// Without an append under way here, a notification (another process's) wakes at once.
	h.received("ch", "3")
	select {
	case <-sub.C:
	default:
		t.Fatal("not woken by another process's notification")
	}

	// An append that stored nothing still wakes the reader: a notification may have come.
	h.begin("ch")
	h.received("ch", "4")
	h.end("ch", nil)
	select {
	case <-sub.C:
	default:
		t.Fatal("not woken after an append that stored nothing")
	}
	if len(h.inflight) != 0 {
		t.Fatalf("inflight %v, want empty", h.inflight)
	}
}
