package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// waitFile waits for a download to be complete at path (waitFor at most) and returns it.
func waitFile(t *testing.T, path string) string {
	t.Helper()
	for deadline := time.Now().Add(waitFor); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if data, err := os.ReadFile(path); err == nil && len(data) > 0 {
			return string(data)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	t.Fatalf("no download at %s (%v)", path, entries)
	return ""
}

// chooseFile puts a file made in the page in the file input found by inputExpr (a JavaScript
// expression) and tells the page, as the file picker does. An image is drawn on a canvas
// (a real PNG of w×h, in colour); other content is taken as given.
func chooseFile(t *testing.T, tab context.Context, what, inputExpr, name, typ, content string) {
	t.Helper()
	do(t, tab, what, chromedp.Evaluate[chromedp.Void](`(async () => {
		let blob;
		if (`+quote(content)+` === "canvas") {
			const c = document.createElement("canvas");
			c.width = 320; c.height = 200;
			const g = c.getContext("2d");
			g.fillStyle = "#2f7d4f"; g.fillRect(0, 0, 320, 200);
			g.fillStyle = "#f5c542"; g.fillRect(40, 40, 240, 120);
			g.fillStyle = "#1c1b22"; g.font = "28px sans-serif"; g.fillText("colis abîmé", 80, 110);
			blob = await new Promise((ok) => c.toBlob(ok, "image/png"));
		} else {
			blob = new Blob([`+quote(content)+`]);
		}
		const input = `+inputExpr+`;
		const dt = new DataTransfer();
		dt.items.add(new File([blob], `+quote(name)+`, { type: `+quote(typ)+` }));
		input.files = dt.files;
		input.dispatchEvent(new Event("change", { bubbles: true }));
	})()`, chromedp.EvalAwaitPromise))
}

// pdfContent is a small PDF as its bytes start (what the server checks).
const pdfContent = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

// TestAttachmentsBothWaysInTheBrowser: in a chat an agent took, the customer sends a photo
// from the widget and the agent sees its thumbnail; the agent sends a PDF from the desk and
// the customer sees its link and downloads it; a file the server refuses (a web page named
// .png, a text named .pdf) is said in French on each side and shown nowhere. A file name
// with markup stays text. Both pages keep their CSP. Screenshots: widget at 360 px and on a
// laptop, desk on a laptop.
func TestAttachmentsBothWaysInTheBrowser(t *testing.T) {
	srv := startDeskServer(t)
	srv.addAgent(t, "camille", "Camille")
	desk, deskDialogs := newTab(t)
	recordCSPViolations(t, desk)
	signIn(t, desk, srv, "camille")
	do(t, desk, "a laptop", chromedp.EmulateViewport(1366, 768))
	customer, customerDialogs := newTab(t)
	recordCSPViolations(t, customer)
	takeChat(t, desk, customer, srv.URL)

	// Customer → agent: a photo whose name carries markup.
	const photo = `<img src=x onerror="window.pwned=1">colis.png`
	chooseFile(t, customer, "the customer picks a photo", shadow+`.querySelector("input[type=file]")`, photo, "image/png", "canvas")
	waitUntil(t, customer, "the photo's thumbnail in the widget", `(() => {
		const img = r.querySelector(".log .msg-customer.file img.thumb");
		return img && img.complete && img.naturalWidth === 320 && img.src.startsWith("blob:") && r.querySelector(".log .msg-customer.file .file-name").textContent === `+quote(photo)+`;
	})()`)
	waitPage(t, desk, "the photo's thumbnail in the desk", `(() => {
		const img = document.querySelector("#log .msg-file.msg-customer img.thumb");
		return img && img.complete && img.naturalWidth === 320 && new URL(img.src).origin === location.origin &&
			document.querySelector("#log .msg-file.msg-customer .file-name").textContent === `+quote(photo)+`;
	})()`)
	if eval[bool](t, desk, `!!window.pwned || !!document.querySelector("#log img[src='x']")`) ||
		eval[bool](t, customer, `!!window.pwned || !!`+shadow+`.querySelector("img[src='x']")`) {
		t.Error("the file name was parsed as HTML")
	}
	screenshot(t, desk, "attachments-01-desk-photo-laptop")

	// Agent → customer: a PDF.
	chooseFile(t, desk, "the agent picks a PDF", `document.getElementById("attach-file")`, "Bon de retour n°2.pdf", "application/pdf", pdfContent)
	waitPage(t, desk, "the PDF's link in the desk", `(() => {
		const a = document.querySelector("#log .msg-file.msg-agent a.doc-link");
		return a && a.download === "Bon de retour n°2.pdf" && a.textContent.includes("PDF");
	})()`)
	waitUntil(t, customer, "the PDF's link in the widget", `(() => {
		const a = r.querySelector(".log .msg-agent.file a.doc-link");
		return a && a.querySelector(".file-name").textContent === "Bon de retour n°2.pdf" && r.querySelector(".log .msg-agent.file .who").textContent === "Camille";
	})()`)
	downloads := t.TempDir()
	if _, err := chromedp.Call(customer, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	do(t, customer, "the customer clicks the PDF", chromedp.Click(in(".log .msg-agent.file a.doc-link")))
	if got := waitFile(t, filepath.Join(downloads, "Bon de retour n°2.pdf")); got != pdfContent {
		t.Errorf("the customer's download: got %q, want the PDF", got)
	}
	screenshot(t, customer, "attachments-02-widget-laptop")

	// Refusals, said in French, and nothing shown.
	chooseFile(t, customer, "the customer picks a web page named .png", shadow+`.querySelector("input[type=file]")`, "photo.png", "image/png", "<html><script>alert(1)</script></html>")
	waitUntil(t, customer, "the refusal in the widget", `!r.querySelector(".alert").hidden && r.querySelector(".alert").textContent.includes("Ce fichier n'est pas accepté : seules les images (PNG, JPEG, WebP, GIF) et les documents PDF")`)
	waitUntil(t, customer, "nothing else shown", `r.querySelectorAll(".log .file").length === 2 && !r.querySelector(".log .notice.sending")`)
	chooseFile(t, desk, "the agent picks a text named .pdf", `document.getElementById("attach-file")`, "notes.pdf", "application/pdf", "juste du texte")
	waitPage(t, desk, "the refusal in the desk", `document.getElementById("desk-error").textContent.includes("« notes.pdf » : Ce fichier n'est pas accepté")`)
	screenshot(t, desk, "attachments-03-desk-refused-laptop")
	if n := eval[int](t, desk, `document.querySelectorAll("#log .msg-file").length`); n != 2 {
		t.Errorf("desk: %d files shown, want 2", n)
	}

	// The transcript keeps both files: a reload shows them again, and a tablet-wide desk too.
	openWidget(t, customer, srv.URL)
	waitUntil(t, customer, "both files after a reload", `r.querySelectorAll(".log .file").length === 2 && r.querySelector(".log .msg-customer.file img.thumb").naturalWidth === 320`)
	do(t, desk, "a 768 px tablet", chromedp.EmulateViewport(768, 1024))
	waitPage(t, desk, "the composer fits", `document.getElementById("attach-button").getBoundingClientRect().right <= document.getElementById("reply-send").getBoundingClientRect().left && document.getElementById("reply-send").getBoundingClientRect().right <= 768`)
	screenshot(t, desk, "attachments-05-desk-768")

	do(t, customer, "a 360 px phone", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	waitUntil(t, customer, "the thumbnail fits the phone", `(() => {
		const b = r.querySelector(".log .msg-customer.file img.thumb").getBoundingClientRect();
		return b.width > 100 && b.right <= 360 && r.querySelector(".attach").getBoundingClientRect().right <= 360;
	})()`)
	do(t, customer, "show the photo", chromedp.Evaluate[chromedp.Void](`(() => {
		const log = `+shadow+`.querySelector(".log");
		log.scrollTop = `+shadow+`.querySelector(".log .msg-customer.file").offsetTop - log.offsetTop - 60;
	})()`))
	screenshot(t, customer, "attachments-04-widget-360")

	checkCSP(t, customer, "img-src 'self' data: blob:")
	checkCSP(t, desk, "img-src 'self' data:")
	noDialogs(t, map[string]*dialogLog{"desk": deskDialogs, "widget": customerDialogs})
}
