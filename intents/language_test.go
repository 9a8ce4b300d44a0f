package intents_test

import (
	"testing"

	"github.com/relais/relais/intents"
)

func TestLanguage(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{name: "English order", text: "Hello, where is my order?", want: "en"},
		{name: "English bill", text: "I would like to pay my bill", want: "en"},
		{name: "English help", text: "can you help me please", want: "en"},
		{name: "English lower case no punctuation", text: "i cant log in to my account", want: "en"},
		{name: "Spanish", text: "Hola, quiero cancelar mi pedido", want: "es"},
		{name: "Spanish without accents", text: "donde esta mi factura", want: "es"},
		{name: "Spanish question", text: "¿Cómo puedo pagar con tarjeta?", want: "es"},
		{name: "German", text: "Hallo, ich möchte meine Rechnung", want: "de"},
		{name: "German without umlaut", text: "ich mochte mit einem Mitarbeiter sprechen", want: "de"},
		{name: "German eszett", text: "Wo ist das Geschäft? Danke", want: "de"},
		{name: "Italian", text: "Buongiorno, vorrei parlare con un operatore", want: "it"},
		{name: "Italian order", text: "il mio ordine non è ancora arrivato, grazie", want: "it"},
		{name: "Italian as close to French as it is to Italian", text: "il mio ordine non è arrivato", want: ""},
		{name: "Portuguese", text: "Olá, quero pagar a minha fatura", want: "pt"},
		{name: "Portuguese without tilde", text: "nao recebi o meu pedido, preciso de ajuda", want: "pt"},
		{name: "French", text: "bonjour, je voudrais payer ma facture", want: ""},
		{name: "French with mail", text: "je veux un mail de confirmation", want: ""},
		{name: "ok merci", text: "ok merci", want: ""},
		{name: "wifi", text: "le wifi ne marche pas", want: ""},
		{name: "hello alone", text: "hello !", want: ""},
		{name: "my bad", text: "my bad", want: ""},
		{name: "French with two English words", text: "je voudrais payer my bill please", want: ""},
		{name: "French tea", text: "je bois un thé et je paie ma facture", want: ""},
		{name: "French mi-temps", text: "je suis à mi-temps, je peux payer en deux fois ?", want: ""},
		{name: "French si il non", text: "non, si il faut je rappelle", want: ""},
		{name: "French SMS", text: "jveu pa payer c abusé", want: ""},
		{name: "French with Spanish greeting", text: "hola, ma box marche plus", want: ""},
		{name: "French ciao", text: "ciao merci pour tout", want: ""},
		{name: "French week-end shopping", text: "le week-end je fais du shopping sur votre site", want: ""},
		{name: "French tu es con", text: "t'es con ou quoi", want: ""},
		{name: "French ho ho ho", text: "ho ho ho joyeux noël", want: ""},
		{name: "one foreign word", text: "thanks", want: ""},
		{name: "empty", text: "", want: ""},
		{name: "emoji", text: "👍👍", want: ""},
		{name: "numbers", text: "CMD-48213", want: ""},
		{name: "unknown language", text: "Dzień dobry, gdzie jest moje zamówienie", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := intents.Language(tt.text); got != tt.want {
				t.Errorf("Language(%q): got %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}
