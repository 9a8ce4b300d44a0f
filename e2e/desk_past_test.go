package e2e_test

import (
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestAgentReadsAPastConversationAndFindsByName: Sophie Martin's first chat is closed; when
// she comes back, the agent opens it from her journey (« Lire »), reads it read-only, its
// end first then older pages with « Messages précédents », her hostile text as text; a search
// of her conversations finds that text and opens the chat at it. Then an unknown customer's
// interaction is linked to her by searching « sophie ».
func TestAgentReadsAPastConversationAndFindsByName(t *testing.T) {
	s := startDeskServer(t)
	s.addAgent(t, "lea", "Léa")
	identity := signedIdentity("cl-sophie", "Sophie Martin", "sophie.martin@example.fr")

	past := s.startChat(t, identity)
	past.say(t, `Ma commande <img src=x onerror="window.__xss=1"> est en retard`)
	s.addCustomerMessages(t, past.ID, 150, func(i int) string { return "Précision " + strconv.Itoa(i) })
	past.askForAgent(t)

	tab, dialogs := newTab(t)
	signIn(t, tab, s, "lea")
	take := func(what string) {
		t.Helper()
		waitPage(t, tab, what+" is queued", `document.querySelectorAll("#queue li .take").length === 1`)
		do(t, tab, "Prendre "+what, chromedp.Click(chromedp.CSS("#queue li .take")))
		waitPage(t, tab, what+" is taken", `document.querySelectorAll("#current-list li").length === 1 && !document.getElementById("interaction").hidden`)
	}
	take("the first chat")
	do(t, tab, "Fermer", chromedp.Click(chromedp.ID("close-conv")))
	confirmClose(t, tab)
	waitPage(t, tab, "the first chat is closed", `document.querySelectorAll("#current-list li").length === 0`)

	s.startChat(t, identity).askForAgent(t)
	take("Sophie's second chat")
	waitPage(t, tab, "the journey offers to read the past chat, not the current one",
		`document.getElementById("customer-name").textContent === "Sophie Martin" && document.querySelectorAll("#journey .read-conv").length === 1`)
	do(t, tab, "Lire", chromedp.Click(chromedp.CSS("#journey .read-conv")))
	waitPage(t, tab, "the end of the past chat is shown", `document.getElementById("history-dialog").open &&
		Array.from(document.querySelectorAll("#history-log .msg-customer")).some(e => e.textContent.includes("Précision 150")) &&
		!document.getElementById("history-older").hidden`)
	screenshot(t, tab, "past-01-end")
	if eval[bool](t, tab, `document.getElementById("history-log").textContent.includes("en retard")`) {
		t.Fatal("the whole past chat is shown at once: not paged")
	}
	do(t, tab, "Messages précédents", chromedp.Click(chromedp.ID("history-older")))
	waitPage(t, tab, "the start of the past chat, as text", `document.getElementById("history-older").hidden &&
		Array.from(document.querySelectorAll("#history-log .msg-customer .text")).some(e => e.textContent === 'Ma commande <img src=x onerror="window.__xss=1"> est en retard')`)
	eval[int](t, tab, `document.getElementById("history-log").scrollTop = 0`)
	screenshot(t, tab, "past-02-start")
	if eval[bool](t, tab, `!!window.__xss || !!document.querySelector("#history-log img") || !!document.querySelector("#history-dialog textarea, #history-dialog input")`) {
		t.Fatal("the past chat holds markup or a field: it must be text, read-only")
	}
	seqs := eval[[]string](t, tab, `Array.from(document.querySelectorAll("#history-log [data-seq]")).map(e => e.dataset.seq)`)
	for i := 1; i < len(seqs); i++ {
		a, _ := strconv.Atoi(seqs[i-1])
		b, _ := strconv.Atoi(seqs[i])
		if b <= a {
			t.Fatalf("the past chat's lines are out of order at %d: %v", i, seqs)
		}
	}
	do(t, tab, "Fermer the history", chromedp.Click(chromedp.ID("history-close")))
	waitPage(t, tab, "the history is closed, the conversation still open", `!document.getElementById("history-dialog").open && document.querySelectorAll("#current-list li").length === 1`)

	do(t, tab, "search « EN RETARD » in her conversations", setValue("conv-search", "EN RETARD"), chromedp.Click(chromedp.ID("conv-search-btn")))
	waitPage(t, tab, "one message found, as text", `document.querySelectorAll("#conv-search-results li").length === 1 &&
		document.querySelector("#conv-search-results li .text").textContent.includes('<img src=x onerror="window.__xss=1">') && !document.querySelector("#conv-search-results img")`)
	screenshot(t, tab, "past-03-search-text")
	do(t, tab, "Lire at the message", chromedp.Click(chromedp.CSS("#conv-search-results li .read-conv")))
	waitPage(t, tab, "the past chat opens at that message, marked", `document.getElementById("history-dialog").open &&
		(document.querySelector("#history-log .found .text") || {}).textContent === 'Ma commande <img src=x onerror="window.__xss=1"> est en retard'`)
	screenshot(t, tab, "past-04-found")
	do(t, tab, "Fermer the history", chromedp.Click(chromedp.ID("history-close")))
	do(t, tab, "Fermer", chromedp.Click(chromedp.ID("close-conv")))
	confirmClose(t, tab)
	waitPage(t, tab, "Sophie's second chat is closed", `document.querySelectorAll("#current-list li").length === 0`)

	s.startChat(t, "").askForAgent(t)
	take("an unknown customer's chat")
	linkBySearch(t, tab, "sophie", "Sophie Martin", "past-05-search-by-name")
	waitPage(t, tab, "the interaction is Sophie's", `!document.getElementById("customer-dialog").open && document.getElementById("customer-name").textContent === "Sophie Martin" && document.querySelectorAll("#journey .read-conv").length === 2`)
	noDialogs(t, map[string]*dialogLog{"desk": dialogs})
}
