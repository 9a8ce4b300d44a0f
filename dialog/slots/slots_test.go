package slots_test

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/relais/relais/dialog/slots"
)

// now is Wednesday 10 March 2027, 9:30, one hour east of UTC.
var now = time.Date(2027, time.March, 10, 9, 30, 0, 0, time.FixedZone("Paris", 3600))

var (
	changeOptions = []string{"Adresse de livraison", "Mode de livraison", "Produit ou couleur"}
	refundOptions = []string{"Échange", "Remboursement"}
	cardOptions   = []string{"Carte", "Carte cadeau"}
	helpOptions   = []string{"Conseil ou souscription", "Assistance technique", "Réparation"}
	helpSynonyms  = map[string][]string{
		"Conseil ou souscription": {"forfait", "abonnement", "changer de box"},
		"Réparation":              {"panne", "cassé"},
	}
	billOptions = []string{"La dernière", "janvier", "février", "mars", "avril", "mai", "juin", "juillet",
		"août", "septembre", "octobre", "novembre", "décembre"}
)

type findCase struct {
	name string
	spec slots.Spec
	text string
	want string // "" when nothing is found
}

// typed builds the cases of one type from (name, text, want) triples.
func typed(spec slots.Spec, rows [][3]string) []findCase {
	cases := make([]findCase, len(rows))
	for i, r := range rows {
		cases[i] = findCase{name: spec.Type + "/" + r[0], spec: spec, text: r[1], want: r[2]}
	}
	return cases
}

var findCases = slices.Concat(
	typed(slots.Spec{Type: "text"}, [][3]string{
		{"word", "bonjour", "bonjour"},
		{"trimmed", "  mon colis est arrivé cassé  ", "mon colis est arrivé cassé"},
		{"newlines", "\n\tsalut\n", "salut"},
		{"digits only", "42", "42"},
		{"accented letter", "é", "é"},
		{"empty", "", ""},
		{"spaces", "   \t ", ""},
		{"punctuation only", "?!...", ""},
	}),
	typed(slots.Spec{Type: "order_number"}, [][3]string{
		{"canonical", "CMD-48213", "CMD-48213"},
		{"lower case with space", "cmd 48213", "CMD-48213"},
		{"digits only", "48213", "CMD-48213"},
		{"glued", "cmd48213", "CMD-48213"},
		{"in a sentence", "oui c'est la commande cmd 48213 merci", "CMD-48213"},
		{"numero sign", "commande n°48213 svp", "CMD-48213"},
		{"ten digits", "0612345678", "CMD-0612345678"},
		{"after a date", "commandée le 3 mars 2027, numéro 48213", "CMD-48213"},
		{"too short", "cmd 123", ""},
		{"too long", "cmd 12345678901", ""},
		{"a price", "j'ai payé 1200 euros", ""},
		{"a sentence", "bonjour je voudrais suivre ma commande", ""},
		{"a date", "le 12/03/2027", ""},
		{"inside an e-mail", "jean48213@exemple.fr", ""},
		{"year", "client depuis 2019", ""},
		{"spaced thousands", "c'est la 48 213", "CMD-48213"},
		{"dashed groups", "CMD-2024-58812", "CMD-2024-58812"},
		{"numero and dashed groups", "commande n° 2024-88812", "CMD-2024-88812"},
		{"spaced groups after cmd", "cmd 2024 58812", "CMD-2024-58812"},
		{"dashed groups alone", "2024-58812", "CMD-2024-58812"},
		{"numero sign spaced", "n° 48213", "CMD-48213"},
		{"hash", "#48213", "CMD-48213"},
		{"numero", "numéro 48213", "CMD-48213"},
		{"hash too short", "#123", ""},
		{"spaced phone number", "06 12 34 56 78", ""},
		{"dotted phone number", "06.12.34.56.78", ""},
		{"dashed phone number", "06-12-34-56-78", ""},
		{"dashed date", "12-03-2027", ""},
		{"iso date", "2027-04-02", ""},
		{"year after en", "commandé en 2024", ""},
		{"year after a month", "en mars 2024", ""},
		{"spaced thousands with a unit", "1 200 €", ""},
		{"amount with a unit", "48213 euros", ""},
		{"dashed groups too long", "cmd 2024-58812345678", ""},
		{"dashed groups too short", "cmd 2024-58", ""},
	}),
	typed(slots.Spec{Type: "order_number", Pattern: `(?i)\b(FR ?\d{6})\b`}, [][3]string{
		{"pattern group", "ma commande fr 123456 svp", "FR123456"},
		{"pattern replaces the default", "CMD-48213", ""},
	}),
	typed(slots.Spec{Type: "order_number", Pattern: `[a-z]{2}-\d{4}`}, [][3]string{
		{"pattern match upper-cased", "c'est ab-1234", "AB-1234"},
	}),
	typed(slots.Spec{Type: "account_number"}, [][3]string{
		{"eight digits", "12345678", "12345678"},
		{"two groups", "1234 5678", "12345678"},
		{"pairs", "12 34 56 78", "12345678"},
		{"in a sentence", "mon numéro client est le 12345678.", "12345678"},
		{"seven digits", "1234567", ""},
		{"nine digits", "123456789", ""},
		{"phone number", "06 12 34 56 78", ""},
		{"dotted date", "12.03.2027", ""},
		{"no digits", "je ne le trouve pas", ""},
	}),
	typed(slots.Spec{Type: "email"}, [][3]string{
		{"lower cased", "Jean.Dupont@Exemple.fr", "jean.dupont@exemple.fr"},
		{"in a sentence", "mon mail c'est Jean.Dupont@Exemple.fr", "jean.dupont@exemple.fr"},
		{"final dot", "c'est jean@exemple.fr.", "jean@exemple.fr"},
		{"plus and subdomains", "marie+sav@mail.exemple.co.uk", "marie+sav@mail.exemple.co.uk"},
		{"spaces around the at sign", "jean @ exemple.fr", "jean@exemple.fr"},
		{"no domain extension", "jean@exemple", ""},
		{"no at sign", "jean.exemple.fr", ""},
		{"no local part", "@exemple.fr", ""},
		{"double dot", "jean..dupont@exemple.fr", ""},
		{"dash label", "jean@-exemple.fr", ""},
		{"accented local part", "jéan@exemple.fr", ""},
		{"a sentence", "je n'ai pas d'adresse mail", ""},
	}),
	typed(slots.Spec{Type: "phone"}, [][3]string{
		{"pairs", "06 12 34 56 78", "+33612345678"},
		{"compact", "0612345678", "+33612345678"},
		{"international", "+33 6 12 34 56 78", "+33612345678"},
		{"international compact", "+33612345678", "+33612345678"},
		{"double zero", "0033 6 12 34 56 78", "+33612345678"},
		{"dots", "06.12.34.56.78", "+33612345678"},
		{"dashes", "06-12-34-56-78", "+33612345678"},
		{"bracketed zero", "+33 (0)6 12 34 56 78", "+33612345678"},
		{"in a sentence", "mon numéro c'est le 01 23 45 67 89 merci", "+33123456789"},
		{"too short", "06 12 34 56", ""},
		{"too long", "06 12 34 56 78 90", ""},
		{"starts with 00", "0012345678", ""},
		{"eight digits", "12345678", ""},
		{"order number", "cmd 48213", ""},
		{"a sentence", "rappelez-moi vite", ""},
	}),
	typed(slots.Spec{Type: "postal_code"}, [][3]string{
		{"five digits", "75011", "75011"},
		{"with a space", "75 011", "75011"},
		{"labelled", "code postal : 69003", "69003"},
		{"after a city", "j'habite à Lyon 69003", "69003"},
		{"four digits", "7501", ""},
		{"six digits", "750111", ""},
		{"no département 00", "00123", ""},
		{"phone number", "06 12 34 56 78", ""},
		{"a sentence", "je ne sais plus", ""},
	}),
	typed(slots.Spec{Type: "postal_address"}, [][3]string{
		{"plain", "12 rue de la Paix 75002 Paris", "12 rue de la Paix 75002 Paris"},
		{"in a sentence", "mon adresse c'est 12 rue de la Paix, 75002 Paris merci", "12 rue de la Paix, 75002 Paris"},
		{"bis and spaces", "3 bis  avenue Victor Hugo\n69003 Lyon", "3 bis avenue Victor Hugo 69003 Lyon"},
		{"abbreviation", "45 bd Saint-Michel 75005 PARIS", "45 bd Saint-Michel 75005 PARIS"},
		{"comma after number", "7, allée des Tilleuls 33000 Bordeaux", "7, allée des Tilleuls 33000 Bordeaux"},
		{"final dot", "12 rue de la Paix, 92100 Boulogne-Billancourt.", "12 rue de la Paix, 92100 Boulogne-Billancourt"},
		{"city in words", "10 chemin des Vignes 13100 Aix en Provence", "10 chemin des Vignes 13100 Aix en Provence"},
		{"no postal code", "12 rue de la Paix Paris", ""},
		{"no street number", "rue de la Paix 75002 Paris", ""},
		{"no street word", "12 de la Paix 75002 Paris", ""},
		{"no city", "12 rue de la Paix 75002", ""},
		{"a sentence", "je ne veux pas donner mon adresse", ""},
	}),
	typed(slots.Spec{Type: "date"}, [][3]string{
		{"tomorrow", "demain", "2027-03-11"},
		{"day after tomorrow", "après-demain", "2027-03-12"},
		{"today", "aujourd'hui", "2027-03-10"},
		{"next monday", "lundi prochain", "2027-03-15"},
		{"monday", "lundi", "2027-03-15"},
		{"weekday of today", "mercredi", "2027-03-17"},
		{"day and month", "12/03", "2027-03-12"},
		{"today by date", "10/03", "2027-03-10"},
		{"past day goes to next year", "09/03", "2028-03-09"},
		{"full date", "12/03/2027", "2027-03-12"},
		{"dashes", "12-03-2027", "2027-03-12"},
		{"short year", "12/03/28", "2028-03-12"},
		{"iso", "2027-04-02", "2027-04-02"},
		{"month in words", "le 3 mars", "2028-03-03"},
		{"month in words with year", "3 mars 2027", "2027-03-03"},
		{"first of the month", "le 1er avril", "2027-04-01"},
		{"weekday and date", "mardi 6 avril", "2027-04-06"},
		{"in a sentence", "demain vers 14h30 si possible", "2027-03-11"},
		{"in three days", "dans 3 jours", "2027-03-13"},
		{"in a week", "dans une semaine", "2027-03-17"},
		{"yesterday", "hier", "2027-03-09"},
		{"the day before yesterday", "c'était avant-hier", "2027-03-08"},
		{"in two weeks, in words", "d'ici deux semaines", "2027-03-24"},
		{"in fifteen days", "dans quinze jours", "2027-03-25"},
		{"in a month", "dans 1 mois", "2027-04-10"},
		{"in twenty-one days", "dans vingt et un jours", "2027-03-31"},
		{"weekday and day", "lundi 22 à 14h", "2027-03-22"},
		{"day only", "le 15", "2027-03-15"},
		{"day only next month", "plutôt le 5 à 10h", "2027-04-05"},
		{"leap day", "29/02", "2028-02-29"},
		{"impossible date", "31/02", ""},
		{"impossible date in words", "30 février", ""},
		{"an amount", "12.50", ""},
		{"a phone number", "06 12 34 56 78", ""},
		{"a count", "le 3 articles", ""},
		{"weekday and hour", "jeudi 14h", "2027-03-11"},
		{"weekday of the next week", "jeudi de la semaine prochaine", "2027-03-18"},
		{"weekday of the next week, short", "mercredi semaine prochaine", "2027-03-17"},
		{"next weekday of this week", "jeudi prochain", "2027-03-11"},
		{"a sentence", "bonjour", ""},
	}),
	typed(slots.Spec{Type: "time"}, [][3]string{
		{"hour", "14h", "14:00"},
		{"spaced", "14 h 30", "14:30"},
		{"compact", "14h30", "14:30"},
		{"colon", "14:30", "14:30"},
		{"one digit", "à 9 h", "09:00"},
		{"in words", "vers 10 heures", "10:00"},
		{"noon", "midi", "12:00"},
		{"half past noon", "midi et demi", "12:30"},
		{"midnight", "minuit", "00:00"},
		{"quarter to", "9h moins le quart", "08:45"},
		{"evening", "8 h du soir", "20:00"},
		{"in a sentence", "demain vers 14h30 si possible", "14:30"},
		{"bad hour", "25h", ""},
		{"bad minutes", "14h75", ""},
		{"afternoon is not noon", "cet après-midi", ""},
		{"a delay", "livré en 48h", ""},
		{"a duration", "dans 2h", ""},
		{"a word with h", "14 habitants", ""},
		{"a sentence", "quand vous voulez", ""},
		{"after a weekday", "jeudi 14h", "14:00"},
		{"after a weekday, spaced", "jeudi 14 h", "14:00"},
	}),
	typed(slots.Spec{Type: "datetime"}, [][3]string{
		{"relative", "demain vers 14h30 si possible", "2027-03-11 14:30"},
		{"numeric", "le 12/03 à 9h", "2027-03-12 09:00"},
		{"weekday", "lundi prochain 14:00", "2027-03-15 14:00"},
		{"noon", "3 mars 2027 à midi", "2027-03-03 12:00"},
		{"day only", "le 15 à 10h", "2027-03-15 10:00"},
		{"tonight", "ce soir à 20h", "2027-03-10 20:00"},
		{"next saturday", "samedi prochain à 11h", "2027-03-13 11:00"},
		{"weekday and hour", "jeudi 14h", "2027-03-11 14:00"},
		{"tomorrow and minutes", "demain 9h30", "2027-03-11 09:30"},
		{"date in words and spaced hour", "le 12 mars à 15 h", "2027-03-12 15:00"},
		{"weekday at noon", "lundi à midi", "2027-03-15 12:00"},
		{"date only", "demain", ""},
		{"time only", "14h", ""},
		{"impossible date", "31/02 à 14h", ""},
		{"impossible time", "demain 25h", ""},
	}),
	typed(slots.Spec{Type: "amount"}, [][3]string{
		{"comma", "49,99", "49.99"},
		{"dot and euro", "49.99 €", "49.99"},
		{"euros", "50 euros", "50.00"},
		{"thousands", "1 200,50 €", "1200.50"},
		{"dotted thousands", "1.200,00 €", "1200.00"},
		{"euro sign between", "49€99", "49.99"},
		{"euro sign first", "€15", "15.00"},
		{"cents", "0,50", "0.50"},
		{"one decimal", "ça fait 12,5 euros", "12.50"},
		{"currency wins", "commande 48213 de 50 €", "50.00"},
		{"order number", "ma commande CMD-48213", ""},
		{"in a sentence", "j'ai payé 35 € hier", "35.00"},
		{"percent", "20 %", ""},
		{"a date", "le 12/03", ""},
		{"a phone number", "06 12 34 56 78", ""},
		{"an hour", "14h", ""},
		{"in words", "cinquante euros", "50.00"},
		{"hundreds in words", "deux cents", "200.00"},
		{"hundred and fifty in words", "cent cinquante euros", "150.00"},
		{"thousand in words", "mille deux cents euros", "1200.00"},
		{"twenty-one in words", "vingt et un euros", "21.00"},
		{"seventy in words", "soixante-dix euros", "70.00"},
		{"ninety-nine in words", "quatre-vingt-dix-neuf euros", "99.00"},
		{"eighty in words", "quatre-vingts euros", "80.00"},
		{"septante", "septante euros", "70.00"},
		{"nonante", "nonante-cinq", "95.00"},
		{"euros and cents in words", "trente euros cinquante", "30.50"},
		{"cents word", "douze euros et cinquante centimes", "12.50"},
		{"in words in a sentence", "on m'a prélevé cinquante euros de trop", "50.00"},
		{"digits win over words", "deux fois 50 €", "50.00"},
		{"article in a long text", "j'ai un problème avec ma facture", ""},
		{"one euro", "un euro", "1.00"},
		{"percent in words", "vingt pour cent", ""},
		{"spaced thousands kept", "1 200 €", "1200.00"},
		{"minus word", "moins 20 euros", "-20.00"},
		{"minus sign", "-20 €", "-20.00"},
		{"minus sign spaced", "− 20 euros", "-20.00"},
		{"minus in words", "moins vingt euros", "-20.00"},
		{"minus plain", "-15,50", "-15.50"},
		{"at least", "au moins 20 euros", "20.00"},
		{"not less than", "pas moins de 20 €", "20.00"},
		{"more or less", "plus ou moins 20 €", "20.00"},
		{"dash glued between digits", "entre 10-20 €", ""},
		{"dash between digits", "entre 10 - 20 €", "20.00"},
		{"minus zero", "-0 €", "0.00"},
		{"a sentence", "trop cher", ""},
	}),
	typed(slots.Spec{Type: "number"}, [][3]string{
		{"digit", "3", "3"},
		{"in a sentence", "j'en veux 3 svp", "3"},
		{"leading zero", "03", "3"},
		{"thousands", "1 000", "1000"},
		{"in words", "trois", "3"},
		{"in words in a sentence", "deux articles", "2"},
		{"one in a short answer", "un seul", "1"},
		{"article un in a sentence", "j'ai un problème avec ma commande", ""},
		{"decimal", "2,5", ""},
		{"an hour", "14h", ""},
		{"a date", "12/03", ""},
		{"a phone number", "06 12 34 56 78", ""},
		{"hundreds in words", "deux cents", "200"},
		{"twenty-one in words", "vingt et un", "21"},
		{"seventy-one in words", "soixante et onze", "71"},
		{"ninety-nine in words", "quatre-vingt-dix-neuf", "99"},
		{"eighty in words", "quatre-vingts", "80"},
		{"septante", "septante-deux", "72"},
		{"nonante", "nonante", "90"},
		{"thousand in words", "mille deux cent trente-quatre", "1234"},
		{"two thousand in words", "deux mille", "2000"},
		{"seventeen", "dix-sept", "17"},
		{"digits win over words", "deux ou 3", "3"},
		{"ill-formed words stop the number", "deux trois", "2"},
		{"thousand thanks", "mille mercis pour votre aide", ""},
		{"zero", "zéro", "0"},
		{"a sentence", "beaucoup", ""},
	}),
	typed(slots.Spec{Type: "yes_no"}, [][3]string{
		{"oui", "oui", "oui"},
		{"ouais", "Ouais !", "oui"},
		{"ok", "ok merci", "oui"},
		{"d'accord", "d'accord", "oui"},
		{"curly apostrophe", "D’accord", "oui"},
		{"bien sûr", "bien sûr", "oui"},
		{"c'est ça", "c'est ça", "oui"},
		{"repeated letters", "ouiiii", "oui"},
		{"d'acc", "d'acc", "oui"},
		{"pas de souci", "pas de souci", "oui"},
		{"si alone", "si", "oui"},
		{"non", "non", "non"},
		{"nan", "nan", "non"},
		{"pas du tout", "pas du tout", "non"},
		{"surtout pas", "surtout pas !", "non"},
		{"non merci", "non merci", "non"},
		{"pas d'accord", "je ne suis pas d'accord", "non"},
		{"c'est pas ça", "c'est pas ça", "non"},
		{"both", "oui et non", ""},
		{"si in a sentence", "si possible demain", ""},
		{"neither", "je ne sais pas", ""},
		{"a sentence", "bonjour", ""},
	}),
	typed(slots.Spec{Type: "choice", Options: changeOptions}, [][3]string{
		{"exact", "Adresse de livraison", "Adresse de livraison"},
		{"lower case", "adresse de livraison", "Adresse de livraison"},
		{"upper case", "ADRESSE DE LIVRAISON", "Adresse de livraison"},
		{"inside a sentence", "je veux changer l'adresse de livraison svp", "Adresse de livraison"},
		{"one distinctive word", "l'adresse", "Adresse de livraison"},
		{"plural", "les couleurs", "Produit ou couleur"},
		{"shared word", "livraison", ""},
		{"two options", "mode de livraison ou adresse de livraison", ""},
		{"unrelated", "bonjour", ""},
	}),
	typed(slots.Spec{Type: "choice", Options: refundOptions}, [][3]string{
		{"accent ignored", "echange", "Échange"},
		{"in a sentence", "un remboursement svp", "Remboursement"},
	}),
	typed(slots.Spec{Type: "choice", Options: cardOptions}, [][3]string{
		{"longer option", "par carte cadeau", "Carte cadeau"},
		{"shorter option", "carte", "Carte"},
	}),
	typed(slots.Spec{Type: "choice", Options: helpOptions, Synonyms: helpSynonyms}, [][3]string{
		{"synonym in a sentence", "pour changer de forfait", "Conseil ou souscription"},
		{"synonym plural", "les abonnements", "Conseil ou souscription"},
		{"synonym accents and case", "Changer De BOX", "Conseil ou souscription"},
		{"second", "la deuxième", "Assistance technique"},
		{"seconde", "la seconde", "Assistance technique"},
		{"first", "le premier", "Conseil ou souscription"},
		{"first abbreviated", "la 1ère", "Conseil ou souscription"},
		{"digit with article", "le 3", "Réparation"},
		{"bare digit", "2", "Assistance technique"},
		{"numero sign", "n°2", "Assistance technique"},
		{"numero in words", "numéro trois", "Réparation"},
		{"last", "la dernière", "Réparation"},
		{"before last", "l'avant-dernier", "Assistance technique"},
		{"third in a polite sentence", "je prends la troisième svp", "Réparation"},
		{"synonyms of two options", "mon abonnement est en panne", ""},
		{"two synonyms settled by an option named", "réparation de la panne de mon forfait", "Réparation"},
		{"two synonyms and another option named", "assistance pour ma panne de forfait", ""},
		{"out of range", "le 4", ""},
		{"bare digit out of range", "7", ""},
		{"zero", "0", ""},
		{"synonym inside a word", "forfaitaire", ""},
	}),
	typed(slots.Spec{Type: "choice", Options: []string{"1 mois", "3 mois", "6 mois"}}, [][3]string{
		{"digit said by an option", "3", "3 mois"},
		{"digit with article said by an option", "le 6", "6 mois"},
		{"ordinal", "la deuxième", "3 mois"},
		{"digit said by no option", "2", "3 mois"},
	}),
	typed(slots.Spec{Type: "choice", Options: billOptions}, [][3]string{
		{"option that is a position", "La dernière", "La dernière"},
		{"option that is a position, other gender", "le dernier", "La dernière"},
		{"month", "mars", "mars"},
		{"position", "la deuxième", "janvier"},
	}),
	typed(slots.Spec{Type: "pattern", Pattern: `[A-Z]{2}\d{6}`}, [][3]string{
		{"in a sentence", "mon code est AB123456 voilà", "AB123456"},
		{"alone", "XY000001", "XY000001"},
		{"case matters", "ab123456", ""},
		{"too short", "AB12345", ""},
		{"a sentence", "je ne sais pas", ""},
	}),
	typed(slots.Spec{Type: "pattern", Pattern: `(?i)ref-\d+`}, [][3]string{
		{"case-insensitive pattern", "REF-12", "REF-12"},
	}),
	typed(slots.Spec{Type: "pattern", Pattern: `x*`}, [][3]string{
		{"empty matches", "abc", ""},
		{"non-empty match", "a xx b", "xx"},
	}),
	typed(slots.Spec{Type: "pattern", Pattern: `[`}, [][3]string{
		{"bad regexp", "[", ""},
	}),
	typed(slots.Spec{Type: "couleur"}, [][3]string{
		{"unknown type", "rouge", ""},
	}),
)

func TestFind(t *testing.T) {
	for _, tc := range findCases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := slots.Find(tc.spec, tc.text, now)
			if got != tc.want || ok != (tc.want != "") {
				t.Errorf("Find(%q, %q) = %q, %v; want %q, %v", tc.spec.Type, tc.text, got, ok, tc.want, tc.want != "")
			}
		})
	}
}

func TestFindEveryType(t *testing.T) {
	for _, typ := range slots.Types {
		accepted, rejected := 0, 0
		for _, tc := range findCases {
			switch {
			case tc.spec.Type != typ:
			case tc.want == "":
				rejected++
			default:
				accepted++
			}
		}
		if accepted+rejected < 8 || accepted == 0 || rejected == 0 {
			t.Errorf("type %s: %d accepted and %d rejected cases, want 8 with both", typ, accepted, rejected)
		}
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		spec    slots.Spec
		wantErr bool
	}{
		{"every simple type", slots.Spec{Type: "date"}, false},
		{"choice", slots.Spec{Type: "choice", Options: changeOptions}, false},
		{"pattern", slots.Spec{Type: "pattern", Pattern: `^\d+$`}, false},
		{"missing type", slots.Spec{}, true},
		{"unknown type", slots.Spec{Type: "couleur"}, true},
		{"choice without options", slots.Spec{Type: "choice"}, true},
		{"empty option", slots.Spec{Type: "choice", Options: []string{"Oui", " "}}, true},
		{"duplicate options", slots.Spec{Type: "choice", Options: []string{"Échange", "echange"}}, true},
		{"pattern missing", slots.Spec{Type: "pattern"}, true},
		{"bad regexp", slots.Spec{Type: "pattern", Pattern: `(`}, true},
		{"options on another type", slots.Spec{Type: "text", Options: []string{"a"}}, true},
		{"pattern on another type", slots.Spec{Type: "text", Pattern: `a`}, true},
		{"pattern on order_number", slots.Spec{Type: "order_number", Pattern: `FR\d{6}`}, false},
		{"bad pattern on order_number", slots.Spec{Type: "order_number", Pattern: `(`}, true},
		{"synonyms", slots.Spec{Type: "choice", Options: helpOptions, Synonyms: helpSynonyms}, false},
		{"synonyms of no option", slots.Spec{Type: "choice", Options: helpOptions, Synonyms: map[string][]string{"Autre": {"x"}}}, true},
		{"empty synonym", slots.Spec{Type: "choice", Options: helpOptions, Synonyms: map[string][]string{"Réparation": {" "}}}, true},
		{"synonyms on another type", slots.Spec{Type: "text", Synonyms: helpSynonyms}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := slots.Check(tc.spec)
			if (err != nil) != tc.wantErr {
				t.Errorf("Check(%+v) = %v, want error: %v", tc.spec, err, tc.wantErr)
			}
		})
	}
	for _, typ := range slots.Types {
		spec := slots.Spec{Type: typ}
		switch typ {
		case "choice":
			spec.Options = changeOptions
		case "pattern":
			spec.Pattern = `\d+`
		}
		if err := slots.Check(spec); err != nil {
			t.Errorf("Check(%s) = %v, want nil", typ, err)
		}
	}
}

// formats are the shapes of the values Find returns, by type.
var formats = map[string]*regexp.Regexp{
	"order_number":   regexp.MustCompile(`^CMD-\d{3,10}(-\d{3,})*$`),
	"account_number": regexp.MustCompile(`^\d{8}$`),
	"email":          regexp.MustCompile(`^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$`),
	"phone":          regexp.MustCompile(`^\+33[1-9]\d{8}$`),
	"postal_code":    regexp.MustCompile(`^\d{5}$`),
	"date":           regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`),
	"time":           regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`),
	"datetime":       regexp.MustCompile(`^\d{4}-\d{2}-\d{2} ([01]\d|2[0-3]):[0-5]\d$`),
	"amount":         regexp.MustCompile(`^(0\.\d{2}|-?(0\.\d[1-9]|0\.[1-9]\d|[1-9]\d*\.\d{2}))$`),
	"number":         regexp.MustCompile(`^(0|[1-9]\d*)$`),
	"yes_no":         regexp.MustCompile(`^(oui|non)$`),
	"choice":         regexp.MustCompile(`^(Adresse de livraison|Mode de livraison|Produit ou couleur)$`),
}

func FuzzFind(f *testing.F) {
	for _, tc := range findCases {
		f.Add(tc.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, typ := range slots.Types {
			spec := slots.Spec{Type: typ, Options: changeOptions}
			if typ == "pattern" {
				spec.Pattern = `[A-Z]{2}\d{6}|x*`
			}
			got, ok := slots.Find(spec, text, now)
			if ok != (got != "") {
				t.Fatalf("Find(%s, %q) = %q, %v", typ, text, got, ok)
			}
			if re := formats[typ]; ok && re != nil && !re.MatchString(got) {
				t.Fatalf("Find(%s, %q) = %q, not in the expected format", typ, text, got)
			}
			if ok && (typ == "date" || typ == "datetime") {
				if _, err := time.Parse("2006-01-02", got[:10]); err != nil {
					t.Fatalf("Find(%s, %q) = %q, not a date: %v", typ, text, got, err)
				}
			}
		}
	})
}

func TestAmbiguous(t *testing.T) {
	friday := time.Date(2027, time.March, 12, 18, 0, 0, 0, now.Location())
	sunday := time.Date(2027, time.March, 14, 10, 0, 0, 0, now.Location())
	date, datetime := slots.Spec{Type: "date"}, slots.Spec{Type: "datetime"}
	tests := []struct {
		name string
		spec slots.Spec
		text string
		now  time.Time
		want []string
	}{
		{"tomorrow or next week", date, "jeudi prochain", now, []string{"2027-03-11", "2027-03-18"}},
		{"the day after tomorrow or next week", date, "vendredi prochain", now, []string{"2027-03-12", "2027-03-19"}},
		{"this sunday is four days away: clear", date, "dimanche prochain", now, nil},
		{"feminine and in a sentence", date, "plutôt jeudi prochaine svp", now, []string{"2027-03-11", "2027-03-18"}},
		{"with a time", datetime, "jeudi prochain à 11h", now, []string{"2027-03-11 11:00", "2027-03-18 11:00"}},
		{"three days away: clear", datetime, "samedi prochain à 11h", now, nil},
		{"on a friday", date, "samedi prochain", friday, []string{"2027-03-13", "2027-03-20"}},
		{"next week already", date, "lundi prochain", now, nil},
		{"said on a sunday", date, "mardi prochain", sunday, nil},
		{"week said", date, "jeudi de la semaine prochaine", now, nil},
		{"no prochain", date, "jeudi", now, nil},
		{"relative day", date, "demain", now, nil},
		{"written date first", date, "le 12/03, donc vendredi prochain", now, nil},
		{"datetime without time", datetime, "jeudi prochain", now, nil},
		{"not a date type", slots.Spec{Type: "time"}, "jeudi prochain à 14h", now, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := slots.Ambiguous(tc.spec, tc.text, tc.now)
			if !slices.Equal(got, tc.want) {
				t.Errorf("Ambiguous(%s, %q) = %q, want %q", tc.spec.Type, tc.text, got, tc.want)
			}
			if len(got) > 0 {
				if first, _ := slots.Find(tc.spec, tc.text, tc.now); first != got[0] {
					t.Errorf("Find(%s, %q) = %q, want the earliest candidate %q", tc.spec.Type, tc.text, first, got[0])
				}
			}
		})
	}
}
