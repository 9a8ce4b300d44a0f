package slots_test

import (
	"testing"

	"github.com/relais/relais/dialog/slots"
)

func TestYesNo(t *testing.T) {
	tests := []struct {
		name, text, want string // want "" when the text is not a yes or a no
	}{
		{"c'est bon", "c'est bon", "oui"},
		{"ça me va", "ça me va", "oui"},
		{"ça roule", "Ça roule !", "oui"},
		{"ça marche", "ça marche", "oui"},
		{"vas-y", "vas-y", "oui"},
		{"go", "go", "oui"},
		{"carrément", "carrément", "oui"},
		{"oui je veux bien", "oui je veux bien", "oui"},
		{"je veux bien", "je veux bien", "oui"},
		{"volontiers", "volontiers", "oui"},
		{"avec plaisir", "avec plaisir", "oui"},
		{"bien sûr", "Bien sûr", "oui"},
		{"valide", "valide", "oui"},
		{"je valide", "je valide", "oui"},
		{"confirmé", "confirmé", "oui"},
		{"c'est correct", "c'est correct", "oui"},
		{"correct", "correct", "oui"},
		{"nickel", "nickel", "oui"},
		{"impeccable", "impeccable", "oui"},
		{"super", "super merci", "oui"},
		{"top", "top", "oui"},
		{"parfait", "parfait", "oui"},
		{"oui merci", "oui merci", "oui"},
		{"ouais", "ouais", "oui"},
		{"ok merci", "ok merci", "oui"},
		{"c'est d'accord", "c'est d'accord", "oui"},
		{"ça me convient", "ça me convient", "oui"},
		{"two yeses", "oui c'est bon", "oui"},
		{"non merci", "non merci", "non"},
		{"pas du tout", "pas du tout", "non"},
		{"surtout pas", "surtout pas", "non"},
		{"pas maintenant", "pas maintenant", "non"},
		{"plus tard", "plus tard", "non"},
		{"non c'est bon", "non c'est bon", "non"},
		{"non non c'est bon", "non non c'est bon merci", "non"},
		{"c'est pas bon", "c'est pas bon", "non"},
		{"pas bon", "pas bon", "non"},
		{"ce n'est pas correct", "ce n'est pas correct", "non"},
		{"pas correct", "pas correct", "non"},
		{"erreur", "erreur", "non"},
		{"il y a une erreur", "il y a une erreur", "non"},
		{"je me suis trompé", "je me suis trompé", "non"},
		{"je me suis trompée", "je me suis trompée", "non"},
		{"pas la peine", "pas la peine", "non"},
		{"ça ne me va pas", "ça ne me va pas", "non"},
		{"je ne valide pas", "je ne valide pas", "non"},
		{"pas super", "pas super", "non"},
		{"incorrect", "incorrect", "non"},
		{"yes and no", "oui et non", ""},
		{"c'est bon then a no", "c'est bon, non ?", ""},
		{"erreur said with a yes", "oui mais il y a une erreur", ""},
		{"stop is no top", "stop", ""},
		{"merci alone", "merci", ""},
		{"a question", "je ne sais pas", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := slots.YesNo(tc.text)
			if got != tc.want || ok != (tc.want != "") {
				t.Errorf("YesNo(%q) = %q, %v; want %q, %v", tc.text, got, ok, tc.want, tc.want != "")
			}
			if find, _ := slots.Find(slots.Spec{Type: "yes_no"}, tc.text, now); find != got {
				t.Errorf("Find(yes_no, %q) = %q, want %q like YesNo", tc.text, find, got)
			}
		})
	}
}

func TestIsShortAnswer(t *testing.T) {
	tests := []struct {
		name string
		text string
		want bool
	}{
		{"one word", "mardi", true},
		{"three words", "la deuxième option", true},
		{"digits in five words", "c'est le 06 12", true},
		{"an order number in a sentence", "ma commande est la 48213", true},
		{"an e-mail in a sentence", "vous pouvez m'écrire sur jean.dupont@exemple.fr s'il vous plaît", true},
		{"a no first", "non je préfère être rappelé plus tard", true},
		{"a yes first", "d'accord mais faites vite svp merci", true},
		{"a new request", "je voudrais résilier mon abonnement internet", false},
		{"digits in a long request", "j'ai commandé 2 box et rien reçu depuis", false},
		{"si first is not an answer", "si possible je voudrais parler à quelqu'un", false},
		{"empty", "  ", false},
		{"punctuation", "?!", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := slots.IsShortAnswer(tc.text); got != tc.want {
				t.Errorf("IsShortAnswer(%q) = %v, want %v", tc.text, got, tc.want)
			}
		})
	}
}

func TestPosition(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		n      int
		want   int
		wantOK bool
	}{
		{"premier", "le premier", 2, 0, true},
		{"première", "La première", 3, 0, true},
		{"1er", "le 1er", 3, 0, true},
		{"deuxième", "la deuxième", 2, 1, true},
		{"second", "le second", 2, 1, true},
		{"seconde", "la seconde", 2, 1, true},
		{"2e", "la 2e", 2, 1, true},
		{"le 2", "le 2", 2, 1, true},
		{"bare digit", "2", 3, 1, true},
		{"numero sign", "n°2", 3, 1, true},
		{"numero", "numéro 3", 3, 2, true},
		{"numero in words", "numéro deux", 3, 1, true},
		{"troisième", "le troisième", 3, 2, true},
		{"dernier", "le dernier", 4, 3, true},
		{"dernière", "la dernière svp", 2, 1, true},
		{"avant-dernière", "l'avant-dernière", 4, 2, true},
		{"polite", "je prends la deuxième merci", 2, 1, true},
		{"out of range", "le troisième", 2, 0, false},
		{"digit out of range", "4", 3, 0, false},
		{"zero", "0", 3, 0, false},
		{"cardinal without marker", "deux", 3, 0, false},
		{"a request", "la deuxième facture est fausse", 3, 0, false},
		{"a sentence", "bonjour", 2, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := slots.Position(tc.text, tc.n)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("Position(%q, %d) = %d, %v; want %d, %v", tc.text, tc.n, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}
