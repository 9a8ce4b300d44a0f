package desk_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

// TestSearchTextFindsEveryWord: the text index finds the conversations holding every word of
// a search, as whole words ignoring case, accents and œ/æ, not necessarily in one message,
// newest first, with each word's latest message; on one Redis and on a Redis Cluster.
func TestSearchTextFindsEveryWord(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *store.Store{"redis": storetest.Open, "cluster": storetest.Cluster} {
		t.Run(name, func(t *testing.T) { searchTextFindsEveryWord(t, open(t)) })
	}
}

func searchTextFindsEveryWord(t *testing.T, st *store.Store) {
	now := time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)
	d := desk.New(st, func() time.Time { return now })
	at := func(min int) time.Time { return now.Add(time.Duration(min-60) * time.Minute) }
	index := func(conv string, lines ...desk.Line) {
		t.Helper()
		if err := d.IndexText(ctx, conv, lines, 0); err != nil {
			t.Fatal(err)
		}
	}
	index("conv-colis", desk.Line{Seq: 3, At: at(1), Text: "Mon COLIS n'est pas arrivé"},
		desk.Line{Seq: 5, At: at(2), Text: "Le livreur dit l'avoir déposé"})
	index("conv-soeur", desk.Line{Seq: 2, At: at(3), Text: "Le colis de ma sœur est arrivé abîmé"})
	index("conv-autre", desk.Line{Seq: 2, At: at(4), Text: "Je voudrais changer mon adresse de livraison"})

	search := func(q string) desk.TextFound {
		t.Helper()
		found, err := d.SearchText(ctx, q)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		return found
	}
	ids := func(f desk.TextFound) []string {
		var out []string
		for _, h := range f.Hits {
			out = append(out, h.ConversationID)
		}
		return out
	}
	if got := ids(search("Arrivé colis")); !slices.Equal(got, []string{"conv-soeur", "conv-colis"}) {
		t.Errorf("« Arrivé colis »: %v, want the newest first", got)
	}
	if got := ids(search("SOEUR abime")); !slices.Equal(got, []string{"conv-soeur"}) {
		t.Errorf("« SOEUR abime »: %v", got)
	}
	f := search("colis livreur") // in two messages of one conversation
	if got := ids(f); !slices.Equal(got, []string{"conv-colis"}) || f.Hits[0].Seqs["colis"] != 3 || f.Hits[0].Seqs["livreur"] != 5 ||
		!f.Hits[0].At.Equal(at(2)) || !slices.Equal(f.Words, []string{"colis", "livreur"}) {
		t.Errorf("« colis livreur »: %+v, want conv-colis with each word's message", f)
	}
	for _, q := range []string{"coli", "livraisons", "colis remboursement", "zzz"} {
		if got := ids(search(q)); len(got) != 0 {
			t.Errorf("%q finds %v, want nothing (whole words, every one)", q, got)
		}
	}

	// A later message moves the conversation to the front.
	index("conv-colis", desk.Line{Seq: 9, At: at(5), Text: "Le colis est enfin là"})
	if got := ids(search("colis")); !slices.Equal(got, []string{"conv-colis", "conv-soeur"}) {
		t.Errorf("« colis » after a new message: %v", got)
	}

	for _, q := range []string{"a", " é ", strings.Repeat("mot ", 51), "un deux trois quatre cinq six sept huit neuf"} {
		if _, err := d.SearchText(ctx, q); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("%.30q: %v, want invalid", q, err)
		}
	}

	// Past the index lifetime a conversation is found no more.
	now = now.Add(desk.DefaultIndexTTL)
	if got := ids(search("abime")); len(got) != 0 {
		t.Errorf("« abime » a lifetime later: %v", got)
	}
}

// TestEraseTakesTheWordsOut: erasing a conversation removes it from every word of the text
// index, and no key names it or holds its words; the others are still found.
func TestEraseTakesTheWordsOut(t *testing.T) {
	st := storetest.Open(t)
	d := desk.New(st, nil)
	now := time.Now()
	if err := d.IndexText(ctx, "conv-zoe", []desk.Line{{Seq: 4, At: now, Text: "Zoé Quilliec, commande introuvable"}}, 7); err != nil {
		t.Fatal(err)
	}
	if err := d.IndexText(ctx, "conv-paul", []desk.Line{{Seq: 2, At: now, Text: "Commande introuvable aussi"}}, 0); err != nil {
		t.Fatal(err)
	}
	if through, err := d.IndexedThrough(ctx, "conv-zoe"); err != nil || through != 7 {
		t.Fatalf("IndexedThrough = %d, %v; want 7", through, err)
	}
	if !strings.Contains(storetest.Dump(t, st), "quilliec") {
		t.Fatal("the index holds nothing of hers: the test would prove nothing")
	}
	erased, err := d.Erase(ctx, "", []string{"conv-zoe"}, "dpo")
	if err != nil {
		t.Fatal(err)
	}
	if erased["index_entries"] != 5 { // four words and the hash
		t.Errorf("index_entries = %d, want 5 (%v)", erased["index_entries"], erased)
	}
	for _, line := range append(storetest.Lines(storetest.Dump(t, st), "conv-zoe"), storetest.Lines(storetest.Dump(t, st), "quilliec")...) {
		t.Errorf("still in the store: %.200s", line)
	}
	found, err := d.SearchText(ctx, "commande introuvable")
	if err != nil || len(found.Hits) != 1 || found.Hits[0].ConversationID != "conv-paul" {
		t.Errorf("after the erasure: %+v, %v; want Paul's conversation only", found, err)
	}
}

// BenchmarkIndexMessage: one customer message of about 60 words into the text index.
func BenchmarkIndexMessage(b *testing.B) {
	d := desk.New(storetest.Open(b), nil)
	text := strings.Repeat("Bonjour, ma commande 48213 n'est toujours pas arrivée au relais de Villeurbanne. ", 5)
	now := time.Now()
	for i := 0; b.Loop(); i++ {
		if err := d.IndexText(ctx, "conv-bench", []desk.Line{{Seq: int64(i + 1), At: now, Text: text}}, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearchText: a search of two words among 2,000 indexed conversations, one word in
// every one of them and one in a tenth.
func BenchmarkSearchText(b *testing.B) {
	d := desk.New(storetest.Open(b), nil)
	now := time.Now()
	for i := range 2000 {
		text := "Ma commande est en retard"
		if i%10 == 0 {
			text += ", le colis est abîmé"
		}
		if err := d.IndexText(ctx, "conv-"+strconv.Itoa(i), []desk.Line{{Seq: 1, At: now.Add(time.Duration(i) * time.Second), Text: text}}, 0); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		found, err := d.SearchText(ctx, "commande abîmé")
		if err != nil || len(found.Hits) != 40 {
			b.Fatalf("%d hits, %v", len(found.Hits), err)
		}
	}
}
