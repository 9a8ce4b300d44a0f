package intents_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/relais/relais/intents"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{name: "accents and case", text: "Ça Coûte CHER à Noël", want: []string{"ca", "coute", "cher", "a", "noel"}},
		{name: "elisions", text: "l'adresse d'un client, j'arrive pas, qu'il", want: []string{"adresse", "un", "client", "arrive", "pas", "il"}},
		{name: "typographic apostrophe", text: "j’ai reçu l’appareil", want: []string{"ai", "recu", "appareil"}},
		{name: "apostrophe kept word", text: "aujourd'hui", want: []string{"aujourd", "hui"}},
		{name: "repeated letters", text: "merciiii bcp!!!", want: []string{"merci", "bcp"}},
		{name: "double letters kept", text: "commande annulée", want: []string{"commande", "annulee"}},
		{name: "digits by length", text: "CMD-48213 de 49,99 €", want: []string{"cmd", "#5", "de", "#2", "#2"}},
		{name: "ligatures", text: "cœur Œuvre", want: []string{"coeur", "oeuvre"}},
		{name: "emoji only", text: "😀🙏", want: nil},
		{name: "invalid UTF-8", text: "fact\xffure", want: []string{"fact", "ure"}},
		{name: "HTML is text", text: "<b>facture</b>", want: []string{"b", "facture", "b"}},
		{name: "empty", text: "", want: nil},
		{name: "overlong word dropped", text: "code " + strings.Repeat("x", 41) + " ok", want: []string{"code", "ok"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := intents.Normalize(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("Normalize(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestNormalizeBoundsLongText(t *testing.T) {
	long := strings.Repeat("ab ", 10_000) // 30,000 bytes
	if got, limit := len(intents.Normalize(long)), intents.MaxTextBytes/3+1; got > limit {
		t.Errorf("got %d words, want at most %d", got, limit)
	}
}
