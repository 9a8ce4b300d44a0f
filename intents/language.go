package intents

// Language tells which other language a customer text is clearly written in: "en", "es", "de",
// "it" or "pt". It returns "" when the text is French, too short to tell, mixed or unknown, so
// that a French message with a loanword (« le wifi ne marche pas », « ok merci », « hello ! »)
// is never taken for English.
//
// It counts very frequent function words of each language (folded with Normalize, like the
// classifier's input). A language wins when at least two of its words are present, when it
// has more than any other foreign language (Spanish, Italian and Portuguese share words) and
// at least one and a half times as many as French: Italian shares « il », « non », « a » with
// French, so "twice" would miss short Italian messages, while "more than" would let
// « je voudrais payer my bill please » through on a tie.
func Language(text string) string {
	hits := map[string]int{}
	for _, w := range Normalize(text) {
		for _, lang := range languageOrder {
			if lexicons[lang][w] {
				hits[lang]++
			}
		}
	}
	best, second := "", 0
	for _, lang := range languageOrder[1:] {
		switch n := hits[lang]; {
		case best == "" || n > hits[best]:
			second = hits[best]
			best = lang
		case n > second:
			second = n
		}
	}
	n := hits[best]
	if n < 2 || n == second || 2*n < 3*hits["fr"] {
		return ""
	}
	return best
}

// languageOrder lists French first: it is the language the others are compared with.
var languageOrder = []string{"fr", "en", "es", "de", "it", "pt"}

// lexicons holds, per language, frequent words written as customers type them. A word that is
// also in the French list (de, la, que, il, non, si…) is taken out of the foreign lists by
// foldLexicons, since it says nothing about the language of a French speaker's message; "es"
// and "me" are not listed at all (« tu es », « il me faut »).
var lexicons = foldLexicons(map[string]string{
	"fr": `je j tu il elle nous vous on le la les un une des du de et est ou où mais pour par avec
		dans sur pas ne mon ma mes ton ta tes son sa ses votre vos notre nos ce cette ces que qui quoi
		comment pourquoi quand bonjour bonsoir salut merci oui non suis ai as a à au aux en y se me te
		lui leur veux voudrais peux fait faire être avoir été ça c'est plus très aussi rien svp stp
		an si il non y`,
	"en": `the is are am was were be been my your our their i you we they she it this that these
		those to of and with from for in at not no do does did don can could would should will shall
		have has had what where when why how who which there here hello hi hey please thanks thank
		want need like get about an any some`,
	"es": `el los las una uno unos unas y del al lo mi mis su sus por para con pero muy yo usted
		está estoy estás tengo tiene quiero puedo necesito hola gracias cómo dónde cuándo cuánto
		qué porque pedido factura ayuda buenos buenas días favor hay este esto eso también mucho
		hacer no sí`,
	"de": `ich du sie er wir ihr und ist sind bin nicht kein keine mein meine meinen meiner mit für
		ein eine einen einem der die das den dem zu von wie wo was warum kann können möchte bitte
		danke hallo habe haben hat noch auch aber oder sich bei nach guten tag will ja nein`,
	"it": `il lo gli della dello delle degli nel nella che di per con mio mia miei mie sono sei
		vorrei voglio posso buongiorno buonasera ciao grazie come dove quando perché anche molto
		questo questa una uno mi ti del al non ordine fattura aiuto`,
	"pt": `os um uma não eu você meu minha meus minhas com para por do da dos das em no na
		está estou obrigado obrigada olá bom boa dia quero preciso posso tenho fatura pedido como
		onde quando muito também isso isto ele ela ajuda`,
})

// foldLexicons folds each word list with Normalize, so that « möchte » matches « mochte » and
// « não » matches « nao » whichever way the customer typed them, then drops from the foreign
// lists every word French also uses once folded (« si », « il », « non », « an »). "the" stays
// English although « thé » folds to it: one word never decides.
func foldLexicons(raw map[string]string) map[string]map[string]bool {
	out := make(map[string]map[string]bool, len(raw))
	for lang, list := range raw {
		words := map[string]bool{}
		for _, w := range Normalize(list) {
			words[w] = true
		}
		out[lang] = words
	}
	for lang, words := range out {
		if lang == "fr" {
			continue
		}
		for w := range out["fr"] {
			delete(words, w)
		}
	}
	return out
}
