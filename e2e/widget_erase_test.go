package e2e_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/relais/relais/server"
	"github.com/relais/relais/store/storetest"
)

// TestWidgetErasesTheConversation: « Effacer cette conversation » asks once more (« Annuler »
// keeps everything), then erases: the server holds nothing of it any more, the page forgets
// it (nothing left in localStorage) and offers a new conversation, which starts afresh.
func TestWidgetErasesTheConversation(t *testing.T) {
	needBrowser(t)
	st := storetest.Open(t)
	srv := serve(t, server.DefaultConfig(), st)
	ctx, _ := newTab(t)
	openWidget(t, ctx, srv.URL)
	say(t, ctx, "où en est ma commande")
	waitUntil(t, ctx, "the bot answers", botCount+` >= 2`)
	id := eval[string](t, ctx, `JSON.parse(Object.entries(localStorage).find(([k]) => k.startsWith("relais:conversation:"))[1]).id`)

	do(t, ctx, "ask to erase, then Annuler", chromedp.Evaluate[chromedp.Void](shadow+`.querySelector(".erase-ask").click()`))
	waitUntil(t, ctx, "the question, focus on Annuler", `r.querySelector(".erase p") && r.activeElement === r.querySelector(".erase-no")`)
	screenshot(t, ctx, "widget-erase-confirm")
	do(t, ctx, "Annuler", chromedp.Evaluate[chromedp.Void](shadow+`.querySelector(".erase-no").click()`))
	waitUntil(t, ctx, "nothing erased", `r.querySelector(".erase-ask") && r.querySelectorAll(".log .msg-bot").length >= 2`)

	do(t, ctx, "erase", chromedp.Evaluate[chromedp.Void](shadow+`.querySelector(".erase-ask").click()`))
	do(t, ctx, "Effacer", chromedp.Evaluate[chromedp.Void](shadow+`.querySelector(".erase-yes").click()`))
	waitUntil(t, ctx, "erased: the notice and a new conversation offered", `r.textContent.includes("Votre conversation a été effacée.") && !r.querySelector(".restart").hidden && r.querySelector(".erase").hidden`)
	screenshot(t, ctx, "widget-erased")
	if n := eval[int](t, ctx, `Object.keys(localStorage).filter(k => k.startsWith("relais:conversation:")).length`); n != 0 {
		t.Errorf("%d conversations left in localStorage, want none", n)
	}
	if keys, err := st.Client.Keys(context.Background(), st.Prefix+"*{"+id+"}*").Result(); err != nil || len(keys) != 0 {
		t.Errorf("keys of the erased conversation: %v %v, want none", keys, err)
	}
	do(t, ctx, "Nouvelle conversation", chromedp.Evaluate[chromedp.Void](shadow+`.querySelector(".restart-btn").click()`))
	waitUntil(t, ctx, "a new conversation, its welcome only", `r.querySelectorAll(".log .msg-bot").length === 1 && !r.textContent.includes("où en est ma commande")`)
}
