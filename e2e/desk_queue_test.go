package e2e_test

import (
	"strconv"
	"testing"

	"github.com/relais/relais/handoff"
)

// TestDeskQueueShowsItsHead: with more customers waiting than the desk lists, the desk
// shows the first ones and the whole count; a customer more at the tail changes the count
// (the server sends the length alone) and leaves the list as it was.
func TestDeskQueueShowsItsHead(t *testing.T) {
	srv := startDeskServer(t)
	srv.addAgent(t, "camille", "Camille")
	tab, dialogs := newTab(t)
	signIn(t, tab, srv, "camille")
	shown := handoff.QueueShown
	for range shown + 1 {
		srv.startChat(t, "").askForAgent(t)
	}
	waitPage(t, tab, "the first tasks and the whole count",
		`document.getElementById("queue-length").textContent === "`+strconv.Itoa(shown+1)+`" && document.querySelectorAll("#queue li").length === `+strconv.Itoa(shown))
	first := eval[string](t, tab, `document.querySelector("#queue li").dataset.task`)
	srv.startChat(t, "").askForAgent(t)
	waitPage(t, tab, "one more waiting", `document.getElementById("queue-length").textContent === "`+strconv.Itoa(shown+2)+`"`)
	if n := eval[int](t, tab, `document.querySelectorAll("#queue li").length`); n != shown {
		t.Errorf("%d tasks listed after one more customer, want %d", n, shown)
	}
	if got := eval[string](t, tab, `document.querySelector("#queue li").dataset.task`); got != first {
		t.Errorf("first task listed %q, want %q as before", got, first)
	}
	screenshot(t, tab, "desk-queue-head")
	noDialogs(t, map[string]*dialogLog{"desk": dialogs})
}
