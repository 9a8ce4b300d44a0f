package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// alertStubs replaces Notification and AudioContext before the desk's scripts run: the page
// records what it asked of them in window.__alerts.
const alertStubs = `(() => {
	const log = window.__alerts = { notes: [], closed: 0, asked: 0, tones: 0, contexts: 0 };
	class FakeNotification {
		constructor(title, opts) { log.notes.push({ title, body: (opts && opts.body) || "" }); FakeNotification.last = this; }
		close() { log.closed++; }
		static requestPermission() { log.asked++; FakeNotification.permission = "granted"; return Promise.resolve("granted"); }
	}
	FakeNotification.permission = "default";
	const param = () => ({ value: 0, setValueAtTime() {}, linearRampToValueAtTime() {}, exponentialRampToValueAtTime() {} });
	class FakeAudioContext {
		constructor() { log.contexts++; this.state = "running"; this.currentTime = 0; this.destination = {}; }
		resume() { return Promise.resolve(); }
		createOscillator() { return { type: "", frequency: param(), connect(n) { return n; }, start() { log.tones++; }, stop() {} }; }
		createGain() { return { gain: param(), connect(n) { return n; } }; }
	}
	window.Notification = FakeNotification;
	window.AudioContext = FakeAudioContext;
	window.webkitAudioContext = FakeAudioContext;
})();`

// initScript runs source in every document the tab loads, before the page's scripts.
func initScript(source string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: source})
		return err
	})
}

// altKey presses Alt+letter, as a keyboard does.
func altKey(letter string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		code := "Key" + strings.ToUpper(letter)
		vk := int64(strings.ToUpper(letter)[0])
		for _, ev := range []input.DispatchKeyEventParams{
			{Type: input.DispatchKeyEventTypeRawKeyDown, Key: "Alt", Code: "AltLeft", Modifiers: 1, WindowsVirtualKeyCode: 18, NativeVirtualKeyCode: 18},
			{Type: input.DispatchKeyEventTypeRawKeyDown, Key: letter, Code: code, Modifiers: 1, WindowsVirtualKeyCode: vk, NativeVirtualKeyCode: vk},
			{Type: input.DispatchKeyEventTypeKeyUp, Key: letter, Code: code, Modifiers: 1, WindowsVirtualKeyCode: vk, NativeVirtualKeyCode: vk},
			{Type: input.DispatchKeyEventTypeKeyUp, Key: "Alt", Code: "AltLeft", WindowsVirtualKeyCode: 18, NativeVirtualKeyCode: 18},
		} {
			if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, ev); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestDeskOfferAlerts: an offer plays a sound, shows a notification (permission asked when
// the agent went Prêt), puts the countdown in the tab's title and the focus on Accepter;
// Alt+R refuses, Alt+A accepts, and the title comes back once the offer is over. The mute
// toggle silences the next offer and is remembered after a reload.
func TestDeskOfferAlerts(t *testing.T) {
	srv := startDeskServer(t)
	srv.addAgent(t, "camille", "Camille")
	tab, dialogs := newTab(t)
	do(t, tab, "stub Notification and AudioContext", initScript(alertStubs))
	signIn(t, tab, srv, "camille")
	baseTitle := eval[string](t, tab, `document.title`)
	if got := text(t, tab, "sound-toggle"); got != "Son activé" {
		t.Errorf("sound toggle: got %q, want « Son activé »", got)
	}
	if n := eval[int](t, tab, `__alerts.asked`); n != 0 {
		t.Errorf("notification permission asked %d times before Prêt, want 0", n)
	}
	do(t, tab, "Prêt", chromedp.Click(chromedp.ID("ready")))
	waitPage(t, tab, "the agent is Prêt", `document.getElementById("state-label").textContent === "Prêt"`)
	if n := eval[int](t, tab, `__alerts.asked`); n != 1 {
		t.Errorf("notification permission asked %d times on Prêt, want 1", n)
	}

	// First offer: every alert, then Alt+R refuses it.
	srv.startChat(t, "").askForAgent(t)
	waitPage(t, tab, "the offer", `!document.getElementById("offer-box").hidden`)
	waitPage(t, tab, "a notification", `__alerts.notes.length === 1`)
	note := eval[map[string]string](t, tab, `__alerts.notes[0]`)
	if note["title"] != "Nouvelle demande" || !strings.Contains(note["body"], "répondez dans") {
		t.Errorf("notification: got %v, want « Nouvelle demande » with the countdown", note)
	}
	if n := eval[int](t, tab, `__alerts.tones`); n == 0 {
		t.Errorf("no sound started for the offer")
	}
	waitPage(t, tab, "the countdown in the title", `/^\(\d+ s\) Nouvelle demande — /.test(document.title) && document.title.endsWith(`+quote(baseTitle)+`)`)
	first := eval[string](t, tab, `document.title`)
	waitPage(t, tab, "the title counts down", `document.title !== `+quote(first))
	if got := eval[string](t, tab, `document.activeElement.id`); got != "offer-accept" {
		t.Errorf("focus at the offer: got #%s, want #offer-accept", got)
	}
	for id, keys := range map[string]string{"offer-accept": "Alt+A", "offer-reject": "Alt+R"} {
		if got := text(t, tab, id); !strings.Contains(got, keys) {
			t.Errorf("#%s reads %q, want the shortcut %s shown", id, got, keys)
		}
	}
	screenshot(t, tab, "desk-offer-alerts")
	eval[bool](t, tab, `(__alerts.onclickWorks = typeof Notification.last.onclick === "function", Notification.last.onclick(), true)`)
	if !eval[bool](t, tab, `__alerts.onclickWorks && __alerts.closed >= 1 && document.activeElement.id === "offer-accept"`) {
		t.Errorf("clicking the notification: want it closed and the focus on Accepter")
	}
	do(t, tab, "Alt+R", altKey("r"))
	waitPage(t, tab, "the offer is refused", `document.getElementById("offer-box").hidden && document.title === `+quote(baseTitle))

	// Muted, remembered after a reload: the second offer is silent; Alt+A accepts it.
	do(t, tab, "mute", chromedp.Click(chromedp.ID("sound-toggle")))
	do(t, tab, "reload", chromedp.Reload())
	waitPage(t, tab, "the desk again", `!document.getElementById("desk").hidden && document.getElementById("state-label").textContent !== ""`)
	if got := text(t, tab, "sound-toggle"); got != "Son coupé" {
		t.Errorf("sound toggle after a reload: got %q, want « Son coupé »", got)
	}
	if eval[string](t, tab, `document.getElementById("state-label").textContent`) != "Prêt" {
		do(t, tab, "Prêt", chromedp.Click(chromedp.ID("ready")))
		waitPage(t, tab, "the agent is Prêt", `document.getElementById("state-label").textContent === "Prêt"`)
	}
	eval[bool](t, tab, `(Notification.permission = "granted", true)`)
	srv.startChat(t, "").askForAgent(t)
	waitPage(t, tab, "the second offer", `!document.getElementById("offer-box").hidden && __alerts.notes.length === 1`)
	if n := eval[int](t, tab, `__alerts.tones`); n != 0 {
		t.Errorf("muted: %d tones started, want none", n)
	}
	do(t, tab, "Alt+A", altKey("a"))
	waitPage(t, tab, "the offer is accepted", `document.getElementById("offer-box").hidden && document.querySelectorAll("#current-list li").length === 1`)
	waitPage(t, tab, "the title is back", `document.title === `+quote(baseTitle))
	noDialogs(t, map[string]*dialogLog{"desk": dialogs})
}
