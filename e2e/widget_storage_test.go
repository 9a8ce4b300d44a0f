package e2e_test

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"

	"github.com/relais/relais/server"
	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

// browserStorage is what the page's origin keeps in the browser: the keys of localStorage
// and sessionStorage, the IndexedDB databases, the Cache Storage caches and document.cookie.
const browserStorage = `(async () => ({
	local: Object.keys(localStorage), session: Object.keys(sessionStorage),
	idb: (await indexedDB.databases()).map(d => d.name), caches: await caches.keys(),
	cookie: document.cookie,
}))()`

type storedInBrowser struct {
	Local, Session, IDB, Caches []string
	Cookie                      string
}

// TestWidgetStoresNothingBeforeItIsOpened: a page with the widget, loaded, its launcher
// focused and hovered but not clicked, keeps nothing in the browser (no localStorage,
// sessionStorage, IndexedDB, Cache Storage, no cookie at all, HttpOnly ones included) and
// the server holds no conversation; once the customer opens the chat, the conversation is
// kept in localStorage, and only there.
func TestWidgetStoresNothingBeforeItIsOpened(t *testing.T) {
	needBrowser(t)
	st := storetest.Open(t)
	srv := serve(t, server.DefaultConfig(), st)
	ctx, _ := newTab(t)
	do(t, ctx, "load the demo page", chromedp.Navigate(srv.URL+"/"))
	waitUntil(t, ctx, "the launcher is shown, the page loaded", `r.querySelector(".launcher") && document.readyState === "complete"`)
	do(t, ctx, "focus and hover the launcher", chromedp.Focus(in(".launcher")),
		chromedp.Evaluate[chromedp.Void](shadow+`.querySelector(".launcher").dispatchEvent(new MouseEvent("mouseover", {bubbles: true}))`))
	stored := inBrowser(t, ctx)
	if len(stored.Local)+len(stored.Session)+len(stored.IDB)+len(stored.Caches) != 0 || stored.Cookie != "" {
		t.Errorf("stored before the chat is opened: %+v", stored)
	}
	if cookies := allCookies(t, ctx); len(cookies) != 0 {
		t.Errorf("cookies before the chat is opened: %v", cookies)
	}
	if keys := convKeys(t, st); len(keys) != 0 {
		t.Errorf("the server holds a conversation before the chat is opened: %v", keys)
	}
	screenshot(t, ctx, "widget-before-opening")

	do(t, ctx, "click the launcher", chromedp.Click(in(".launcher")))
	waitUntil(t, ctx, "the welcome, the conversation kept", `r.querySelector(".log .msg-bot") && Object.keys(localStorage).length === 1`)
	stored = inBrowser(t, ctx)
	if len(stored.Local) != 1 || stored.Local[0] != "relais:conversation:"+srv.URL+"/" || len(stored.Session)+len(stored.IDB)+len(stored.Caches) != 0 || stored.Cookie != "" {
		t.Errorf("stored once opened: %+v, want the conversation in localStorage only", stored)
	}
	if keys := convKeys(t, st); len(keys) == 0 {
		t.Error("no conversation on the server once the chat is opened: the test proves nothing")
	}
}

func inBrowser(t *testing.T, ctx context.Context) storedInBrowser {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, waitFor)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[storedInBrowser](browserStorage, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("read the browser's storage: %v", err)
	}
	return v
}

// allCookies are the names of every cookie of the browser, whatever their site.
func allCookies(t *testing.T, ctx context.Context) []string {
	t.Helper()
	res, err := chromedp.Call(ctx, storage.GetCookies, storage.GetCookiesParams{})
	if err != nil {
		t.Fatalf("Storage.getCookies: %v", err)
	}
	var names []string
	for _, c := range res.Cookies {
		names = append(names, c.Domain+" "+c.Name)
	}
	return names
}

// convKeys are the conversation keys of the test's store.
func convKeys(t *testing.T, st *store.Store) []string {
	t.Helper()
	keys, err := st.Client.Keys(context.Background(), st.Key("conv", "*")).Result()
	if err != nil {
		t.Fatal(err)
	}
	return keys
}
