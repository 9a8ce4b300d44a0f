package e2e_test

import (
	"slices"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/relais/relais/handoff"
)

// TestDeskQueueShowsItsHead: with more customers waiting than the desk lists, the desk
// shows the first ones and the whole count; a customer more at the tail changes the count
// (the server sends the length alone) and leaves the list as it was; when a colleague takes
// the first, the others move up and the next one waiting comes in at the end (the server
// sends the new order and that entry alone).
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
	listed := eval[[]string](t, tab, `[...document.querySelectorAll("#queue li")].map((li) => li.dataset.task)`)

	srv.addAgent(t, "dominique", "Dominique")
	other, otherDialogs := newTab(t)
	signIn(t, other, srv, "dominique")
	waitPage(t, other, "the queue at Dominique's", `document.querySelectorAll("#queue li .take").length === `+strconv.Itoa(shown))
	do(t, other, "Dominique takes the first", chromedp.Click(chromedp.CSS("#queue li:first-child .take")))
	waitPage(t, tab, "the others moved up", `document.querySelector("#queue li").dataset.task === `+strconv.Quote(listed[1]))
	got := eval[[]string](t, tab, `[...document.querySelectorAll("#queue li")].map((li) => li.dataset.task)`)
	if len(got) != shown || !slices.Equal(got[:shown-1], listed[1:]) || slices.Contains(listed, got[shown-1]) {
		t.Errorf("after the first was taken, listed %v, want %v then one not listed before", got, listed[1:])
	}
	positions := eval[[]string](t, tab, `[...document.querySelectorAll("#queue li .select > span")].map((s) => s.textContent.split(".")[0])`)
	for i, p := range positions {
		if p != strconv.Itoa(i+1) {
			t.Errorf("positions shown %v, want 1 to %d", positions, shown)
			break
		}
	}
	if n := text(t, tab, "queue-length"); n != strconv.Itoa(shown+1) {
		t.Errorf("queue length shown %s, want %d", n, shown+1)
	}
	screenshot(t, tab, "desk-queue-head")
	noDialogs(t, map[string]*dialogLog{"desk": dialogs, "other desk": otherDialogs})
}
