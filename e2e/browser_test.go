package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// waitFor bounds every wait on the page: the bot answers in milliseconds, so a condition that
// does not hold after this long will not hold.
const waitFor = 15 * time.Second

// needBrowser skips the test unless browser tests are asked for, and returns Chromium's path.
func needBrowser(t *testing.T) string {
	t.Helper()
	if os.Getenv("RELAIS_BROWSER_TESTS") != "1" {
		t.Skip("browser test skipped: set RELAIS_BROWSER_TESTS=1 to run it (needs Chromium at /usr/bin/chromium)")
	}
	path := os.Getenv("CHROMIUM_PATH")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("RELAIS_BROWSER_TESTS=1 but no Chromium at %s (apt-get install -y chromium, or set CHROMIUM_PATH): %v", path, err)
	}
	return path
}

// dialogLog records the JavaScript dialogs (alert, confirm…) a page opened.
type dialogLog struct {
	mu   sync.Mutex
	list []string
}

func (d *dialogLog) add(s string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.list = append(d.list, s)
}

// opened returns the dialogs seen so far.
func (d *dialogLog) opened() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.list)
}

// newTab starts a headless Chromium with a fresh profile and returns a context for one tab.
// JavaScript dialogs are recorded and dismissed, so a page that opens one fails the test that
// checks instead of hanging every test.
func newTab(t *testing.T) (context.Context, *dialogLog) {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(needBrowser(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser, bound to ctx only
		t.Fatalf("start Chromium: %v", err)
	}
	dialogs := &dialogLog{}
	opened := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range opened {
			if err != nil {
				return
			}
			dialogs.add(ev.Type.String() + ": " + ev.Message)
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	return ctx, dialogs
}

// anotherTab opens a second tab in ctx's browser, sharing its profile (and localStorage).
func anotherTab(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	// The first Do binds the tab to its context: it must be one without a time limit.
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return tab
}

// do runs actions with a time limit, failing the test with what was being done.
func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 2*waitFor)
	defer cancel()
	if err := chromedp.Do(tctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page and decodes its value.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, waitFor)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// shadow is the JavaScript expression of the widget's shadow root.
const shadow = `document.querySelector("#relais-widget").shadowRoot`

// in selects one element inside the widget's shadow root by CSS.
func in(css string) chromedp.JSPath {
	return chromedp.JSPath(shadow + `.querySelector(` + quote(css) + `)`)
}

// waitUntil waits until a JavaScript condition on the widget holds; r is the shadow root.
func waitUntil(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	expr := `(() => { const h = document.querySelector("#relais-widget"); if (!h) return false; const r = h.shadowRoot; return !!(` + cond + `); })()`
	if err := poll(ctx, expr); err != nil {
		t.Fatalf("waiting until %s: %v\nmessages on screen:\n%s", what, err, dumpLog(ctx))
	}
}

// poll waits until the JavaScript expression is true, for waitFor at most. A page that
// navigates meanwhile (a reload) takes its JavaScript context away: polling starts again in
// the new one.
func poll(ctx context.Context, expr string) error {
	deadline := time.Now().Add(waitFor)
	for {
		tctx, cancel := context.WithTimeout(ctx, time.Until(deadline)+time.Second)
		_, err := chromedp.Run(tctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(time.Until(deadline)), chromedp.WithPollingInterval(50*time.Millisecond)))
		cancel()
		if err == nil || !strings.Contains(err.Error(), "Cannot find context") || time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// message is one entry of the widget's message list, as the customer sees it.
type message struct {
	From string `json:"from"` // customer, bot, agent, system, notice
	Text string `json:"text"`
	Seq  string `json:"seq"`
}

// messages reads the widget's message list.
func messages(t *testing.T, ctx context.Context) []message {
	t.Helper()
	return eval[[]message](t, ctx, `Array.from(`+shadow+`.querySelectorAll(".log > .msg, .log > .notice")).map(el => ({
		from: el.classList.contains("notice") ? "notice" : el.className.match(/msg-(\w+)/)[1],
		text: (el.querySelector(".text") || el).textContent.trim(),
		seq: el.dataset.seq || "",
	}))`)
}

// dumpLog is the message list as text, for failure messages.
func dumpLog(ctx context.Context) string {
	tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(tctx, chromedp.Evaluate[string](`(() => { const h = document.querySelector("#relais-widget");
		if (!h) return "(no widget)";
		return Array.from(h.shadowRoot.querySelectorAll(".log > *, .alert, .banner")).map(el => "  [" + el.className + "] " + el.textContent.trim()).join("\n"); })()`))
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return s
}

// say types text in the widget's input and presses Enter, as a customer does.
func say(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	do(t, ctx, "type "+text, chromedp.SendKeys(in("textarea"), text), enter)
}

// enter presses the Enter key on the focused element. SendKeys("\r") would also send a char
// event, which types a line break after the widget has already sent the message.
var enter = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	for _, typ := range []input.DispatchKeyEventType{
		input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp,
	} {
		_, err := cdp.Call(ctx, t, input.DispatchKeyEvent, input.DispatchKeyEventParams{
			Type: typ, Key: "Enter", Code: "Enter",
			WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13,
		})
		if err != nil {
			return err
		}
	}
	return nil
})

// screenshot saves a PNG of the page as a test artifact and logs where.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("RELAIS_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "artifacts")
	}
	dir = filepath.Join(dir, "e2e")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artifacts: %v", err)
	}
	tctx, cancel := context.WithTimeout(ctx, waitFor)
	defer cancel()
	buf, err := chromedp.Run(tctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	abs, _ := filepath.Abs(path)
	t.Logf("screenshot: %s", abs)
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// contains reports whether any message from `from` contains text (case and accents as given).
func contains(ms []message, from, text string) bool {
	for _, m := range ms {
		if m.From == from && strings.Contains(m.Text, text) {
			return true
		}
	}
	return false
}

func format(ms []message) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "  %s #%s: %s\n", m.From, m.Seq, m.Text)
	}
	return b.String()
}
