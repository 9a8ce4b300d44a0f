package e2e_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestDeskAtEverySize: the desk with a conversation in progress at the sizes agents work at
// (a laptop, half a large screen, a tablet): the conversation stays wide enough to read and
// write, and nothing covers it.
func TestDeskAtEverySize(t *testing.T) {
	srv := startDeskServer(t)
	agent := srv.addAgent(t, "camille", "Camille")
	srv.session(t, agent.ID)
	tab, _ := newTab(t)
	do(t, tab, "1366×768", chromedp.EmulateViewport(1366, 768))
	signIn(t, tab, srv, "camille")
	tabTo(t, tab, "ready", 10)
	do(t, tab, "Prêt with Enter", press(kb.Enter))
	customer := srv.startChat(t, "")
	customer.askForAgent(t)
	waitPage(t, tab, "the offer", `!document.getElementById("offer-box").hidden`)
	do(t, tab, "Accepter", chromedp.Click(chromedp.ID("offer-accept")))
	waitPage(t, tab, "the transcript", `document.querySelector("#log .msg-customer")`)
	for _, size := range [][2]int{{1366, 768}, {1024, 768}, {960, 800}, {768, 1024}} {
		w, h := size[0], size[1]
		do(t, tab, fmt.Sprintf("%d×%d", w, h), chromedp.EmulateViewport(int64(w), int64(h)))
		screenshot(t, tab, fmt.Sprintf("desk-layout-%dx%d", w, h))
		logW := eval[float64](t, tab, `document.getElementById("log").getBoundingClientRect().width`)
		replyW := eval[float64](t, tab, `document.getElementById("reply-text").getBoundingClientRect().width`)
		t.Logf("%d×%d: conversation %.0f px wide, reply box %.0f px", w, h, logW, replyW)
		if logW < 380 || replyW < 250 {
			t.Errorf("%d×%d: the conversation is %.0f px wide and its reply box %.0f px, want at least 380 and 250", w, h, logW, replyW)
		}
		if over := eval[bool](t, tab, `document.documentElement.scrollWidth > innerWidth`); over {
			t.Errorf("%d×%d: the page scrolls sideways", w, h)
		}
		covered := eval[bool](t, tab, `(() => { const r = document.getElementById("reply-text").getBoundingClientRect();
			const e = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2); return r.bottom > 0 && e && e.id !== "reply-text"; })()`)
		if covered {
			t.Errorf("%d×%d: something covers the reply box", w, h)
		}
	}
}
