package intents_test

import (
	"testing"

	"github.com/relais/relais/intents"
)

func TestStripInsults(t *testing.T) {
	tests := []struct {
		name, text, rest string
		insulted         bool
	}{
		{name: "putain before a request", text: "putain ma commande n'est toujours pas arrivée", rest: "ma commande n'est toujours pas arrivée", insulted: true},
		{name: "putain with comma", text: "Putain, ma commande n'est toujours pas arrivée !", rest: "ma commande n'est toujours pas arrivée !", insulted: true},
		{name: "connard alone", text: "connard", rest: "", insulted: true},
		{name: "SMS connard", text: "conar va", rest: "va", insulted: true},
		{name: "repeated letters", text: "connaaaard", rest: "", insulted: true},
		{name: "bande de connards inside", text: "où est ma commande bande de connards ?", rest: "où est ma commande ?", insulted: true},
		{name: "conne", text: "t'es conne ou quoi", rest: "ou quoi", insulted: true},
		{name: "t'es con", text: "t'es con", rest: "", insulted: true},
		{name: "débile without accent", text: "bot debile", rest: "bot", insulted: true},
		{name: "espèce d'abruti", text: "espèce d'abruti, je veux mon remboursement", rest: "je veux mon remboursement", insulted: true},
		{name: "crétin", text: "quel crétin ce robot", rest: "ce robot", insulted: true},
		{name: "idiot and imbécile", text: "idiot, imbécile, réponds", rest: "réponds", insulted: true},
		{name: "enfoirés", text: "bande d'enfoirés vous m'avez prélevé deux fois", rest: "vous m'avez prélevé deux fois", insulted: true},
		{name: "salaud", text: "salauds rendez moi mon argent", rest: "rendez moi mon argent", insulted: true},
		{name: "bouffon", text: "t'es un bouffon", rest: "", insulted: true},
		{name: "vous êtes nuls", text: "vous êtes nuls, je veux parler à un conseiller", rest: "je veux parler à un conseiller", insulted: true},
		{name: "vous êtes vraiment nuls", text: "vous etes vraiment trop nuls", rest: "", insulted: true},
		{name: "bot nul", text: "bot nul", rest: "", insulted: true},
		{name: "votre service client est nul", text: "votre service client est nul, je résilie", rest: "je résilie", insulted: true},
		{name: "bot de merde", text: "bot de merde", rest: "bot", insulted: true},
		{name: "service de merde", text: "service de merde je veux résilier", rest: "service je veux résilier", insulted: true},
		{name: "box de merde", text: "ma box de merde ne marche plus", rest: "ma box ne marche plus", insulted: true},
		{name: "merde alone", text: "merde j'ai oublié mon mot de passe", rest: "j'ai oublié mon mot de passe", insulted: true},
		{name: "ta gueule", text: "ta gueule", rest: "", insulted: true},
		{name: "ferme ta gueule", text: "ferme ta gueule et passe moi un humain", rest: "et passe moi un humain", insulted: true},
		{name: "ferme-la", text: "ferme-la !", rest: "", insulted: true},
		{name: "fdp", text: "fdp", rest: "", insulted: true},
		{name: "ntm", text: "ntm sale bot", rest: "sale bot", insulted: true},
		{name: "pute", text: "fils de pute", rest: "", insulted: true},
		{name: "va te faire foutre", text: "va te faire foutre", rest: "", insulted: true},
		{name: "incompétents", text: "bande d'incompétents, ça fait 3 semaines", rest: "ça fait 3 semaines", insulted: true},
		{name: "escrocs", text: "vous êtes des escrocs, 40 € de frais !", rest: "40 € de frais !", insulted: true},
		{name: "voleurs", text: "Voleurs !", rest: "", insulted: true},
		{name: "nuls alone", text: "Nuls !", rest: "", insulted: true},
		{name: "ptn SMS", text: "ptn jsuis tjr pa livré", rest: "jsuis tjr pa livré", insulted: true},
		{name: "conseiller is not con", text: "je veux un conseiller pour mon contrat", rest: "je veux un conseiller pour mon contrat"},
		{name: "confirmer and connexion", text: "je n'arrive pas à confirmer ma connexion", rest: "je n'arrive pas à confirmer ma connexion"},
		{name: "c'est nul que", text: "c'est nul que ma box ne marche pas", rest: "c'est nul que ma box ne marche pas"},
		{name: "connexion nulle", text: "ma connexion est nulle", rest: "ma connexion est nulle"},
		{name: "réseau nul", text: "le réseau est nul ici", rest: "le réseau est nul ici"},
		{name: "nulle part", text: "je ne trouve ma facture nulle part", rest: "je ne trouve ma facture nulle part"},
		{name: "c'est con", text: "c'est con, j'ai raté le livreur", rest: "c'est con, j'ai raté le livreur"},
		{name: "Spanish con", text: "quiero pagar con tarjeta por favor", rest: "quiero pagar con tarjeta por favor"},
		{name: "ferme la porte", text: "le livreur ne ferme la porte jamais", rest: "le livreur ne ferme la porte jamais"},
		{name: "frais de port", text: "les fdp sont offerts ?", rest: "les fdp sont offerts ?"},
		{name: "singular escroc reported", text: "un escroc m'a appelé en se faisant passer pour vous", rest: "un escroc m'a appelé en se faisant passer pour vous"},
		{name: "arnaque is a complaint", text: "c'est une arnaque ce forfait", rest: "c'est une arnaque ce forfait"},
		{name: "ordinary request", text: "où en est ma commande ?", rest: "où en est ma commande ?"},
		{name: "empty", text: "", rest: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rest, insulted := intents.StripInsults(tt.text)
			if rest != tt.rest || insulted != tt.insulted {
				t.Errorf("StripInsults(%q): got %q, %v; want %q, %v", tt.text, rest, insulted, tt.rest, tt.insulted)
			}
		})
	}
}
