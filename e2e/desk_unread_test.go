package e2e_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/relais/relais/handoff"
)

// TestSeveralConversationsWithUnreadCounts: an agent of capacity 2 takes two conversations
// from the queue; while they look at the second, the first customer writes twice: « En cours »
// shows 2 on the first (and says it to screen readers) until the agent opens it.
func TestSeveralConversationsWithUnreadCounts(t *testing.T) {
	srv := startDeskServer(t)
	if _, err := srv.accounts.Add(context.Background(), handoff.NewAgent{Login: "camille", Name: "Camille", Password: agentPassword, Capacity: 2}); err != nil {
		t.Fatal(err)
	}
	first, second := srv.startChat(t, ""), srv.startChat(t, "")
	first.askForAgent(t)
	second.askForAgent(t)

	tab, _ := newTab(t)
	signIn(t, tab, srv, "camille")
	for i := range 2 {
		waitPage(t, tab, "a task in the queue", `document.querySelectorAll("#queue li .select").length >= 1`)
		do(t, tab, "select the first task", chromedp.Click(chromedp.CSS("#queue li .select")))
		// A queue envelope may redraw the list under the click: it is clicked again until the
		// task shows as selected.
		waitPage(t, tab, "its preview, with « Prendre cette tâche »", `(() => {
			const b = document.querySelector("#queue li .select");
			if (b.getAttribute("aria-current") !== "true") b.click();
			return b.getAttribute("aria-current") === "true" && !document.getElementById("preview-pick").hidden;
		})()`)
		do(t, tab, "take it", chromedp.Click(chromedp.ID("preview-pick")))
		waitPage(t, tab, "it is in En cours", `document.querySelectorAll("#current-list li").length === `+itoa(i+1))
	}
	firstLi := `document.querySelector('#current-list li[data-conversation="` + first.ID + `"] .select')`
	waitPage(t, tab, "the second is shown", `document.querySelector('#current-list li[data-conversation="`+second.ID+`"] .select').getAttribute("aria-current") === "true"`)
	first.say(t, "vous êtes là ?")
	first.say(t, "j'attends toujours")
	waitPage(t, tab, "two unread on the first", firstLi+`.querySelector(".unread") && `+firstLi+`.querySelector(".unread").textContent === "2" && `+firstLi+`.getAttribute("aria-label").includes("2 nouveaux messages")`)
	screenshot(t, tab, "desk-unread")
	do(t, tab, "open the first", chromedp.Click(chromedp.JSPath(firstLi)))
	waitPage(t, tab, "read: no count, its messages shown", `!`+firstLi+`.querySelector(".unread") && document.getElementById("log").textContent.includes("j'attends toujours")`)
}
