package e2e_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestDeskAtEverySize: the desk with a conversation in progress at the sizes agents work at
// (a laptop, a small laptop, half a large screen, a tablet, a phone): the conversation stays
// wide enough to read and write, nothing covers it, the title is not cut, and every control of
// the header, the conversation and the dossier can be reached and is not covered.
func TestDeskAtEverySize(t *testing.T) {
	srv := startDeskServer(t, longOffers) // accepted by the test: a loaded machine must not let them expire first
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
	for _, size := range [][2]int{{1366, 768}, {1024, 768}, {960, 800}, {768, 1024}, {360, 740}} {
		w, h := size[0], size[1]
		do(t, tab, fmt.Sprintf("%d×%d", w, h), chromedp.EmulateViewport(int64(w), int64(h)), chromedp.Evaluate[chromedp.Void](`scrollTo(0, 0)`))
		screenshot(t, tab, fmt.Sprintf("desk-layout-%dx%d", w, h))
		logW := eval[float64](t, tab, `document.getElementById("log").getBoundingClientRect().width`)
		replyW := eval[float64](t, tab, `document.getElementById("reply-text").getBoundingClientRect().width`)
		t.Logf("%d×%d: conversation %.0f px wide, reply box %.0f px", w, h, logW, replyW)
		minLog, minReply := 380.0, 250.0
		if w < 600 { // a phone: the whole width, less the page's margins
			minLog, minReply = float64(w)-60, float64(w)-200
		}
		if logW < minLog || replyW < minReply {
			t.Errorf("%d×%d: the conversation is %.0f px wide and its reply box %.0f px, want at least %.0f and %.0f", w, h, logW, replyW, minLog, minReply)
		}
		if cut := eval[bool](t, tab, `(() => { const e = document.querySelector("header h1"); return e.scrollWidth > e.clientWidth + 1; })()`); cut {
			t.Errorf("%d×%d: the desk's title is cut", w, h)
		}
		for _, id := range []string{"ready", "not-ready", "replies-open", "sound-toggle", "logout", "reply-text", "reply-send", "transfer-conv", "handback-conv", "close-conv", "request-title-btn", "request-description"} {
			if why := eval[string](t, tab, reachable(id)); why != "" {
				t.Errorf("%d×%d: #%s %s", w, h, id, why)
			}
		}
		for _, d := range [][2]string{{"conv-customer", "customer-dialog"}, {"transfer-conv", "transfer-dialog"}, {"replies-open", "replies-dialog"}} {
			opener, dialog := d[0], d[1]
			eval[string](t, tab, reachable(opener))
			do(t, tab, "open #"+dialog, chromedp.Click(chromedp.ID(opener)))
			waitPage(t, tab, "#"+dialog+" open", `document.getElementById(`+quote(dialog)+`).open`)
			if why := eval[string](t, tab, `(() => { const d = document.getElementById(`+quote(dialog)+`), r = d.getBoundingClientRect();
				if (r.left < 0 || r.right > innerWidth + 1) return "is wider than the window (" + Math.round(r.width) + " px)";
				if (d.scrollWidth > d.clientWidth + 1) return "scrolls sideways (" + d.scrollWidth + " px of content in " + d.clientWidth + ")";
				return ""; })()`); why != "" {
				t.Errorf("%d×%d: #%s %s", w, h, dialog, why)
			}
			if w == 360 {
				screenshot(t, tab, "desk-layout-360-"+dialog)
			}
			do(t, tab, "close #"+dialog, chromedp.Evaluate[chromedp.Void](`document.getElementById(`+quote(dialog)+`).close()`))
		}
		if eval[bool](t, tab, `document.documentElement.scrollHeight > innerHeight + 1`) { // stacked: the reply box and the dossier below
			eval[string](t, tab, reachable("reply-text"))
			screenshot(t, tab, fmt.Sprintf("desk-layout-%dx%d-reply", w, h))
		}
		if stuck := eval[bool](t, tab, `document.documentElement.scrollHeight > innerHeight + 1 && getComputedStyle(document.body).overflowY === "hidden"`); stuck {
			t.Errorf("%d×%d: the page is taller than the window but cannot be scrolled", w, h)
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

// reachable is the JavaScript that scrolls element id into view, as the keyboard focus would,
// and says why it cannot be used there: outside the window sideways, or covered by another
// element; "" when it can.
func reachable(id string) string {
	return `(() => { const e = document.getElementById(` + quote(id) + `);
		if (!e) return "is missing";
		e.scrollIntoView({block: "center", inline: "nearest"});
		const r = e.getBoundingClientRect();
		if (r.width === 0 || r.height === 0) return "is not shown";
		if (r.left < 0 || r.right > innerWidth + 1) return "is outside the window (" + Math.round(r.left) + " to " + Math.round(r.right) + " px)";
		const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		return at && (at === e || e.contains(at)) ? "" : "is covered by " + (at ? at.tagName + "#" + at.id + "." + at.className : "nothing");
	})()`
}
