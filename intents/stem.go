package intents

import "strings"

// stemSuffixes are French inflectional and common derivational endings, longest first, on
// folded (accentless) words: a light stemmer in the manner of Savoy's, which maps
// « réveiller », « réveillez », « réveille » and « réveils » to one stem « reveil ». It is
// deliberately crude: the stem is a feature beside the word, not a replacement for it.
var stemSuffixes = []string{
	"issements", "issement", "eraient", "assions", "eriez", "erions", "erait", "erais",
	"ations", "ation", "ements", "ement", "euses", "euse", "eurs", "eur", "ances", "ance",
	"iques", "ique", "ables", "able", "istes", "iste", "erons", "eront", "erez", "erai", "eras",
	"aient", "asse", "ions", "iez", "ees", "ais", "ait", "ant", "ent", "ons", "ez", "er", "ee",
	"es", "ir", "is", "it", "e", "s", "x",
}

// stem returns the light stem of a folded word, or "" when the word is too short to have
// one or has no known ending.
func stem(w string) string {
	if len(w) < 5 || w[0] == '#' {
		return ""
	}
	for _, suf := range stemSuffixes {
		if strings.HasSuffix(w, suf) && len(w)-len(suf) >= 3 {
			return w[:len(w)-len(suf)]
		}
	}
	return ""
}

// stopWords are French function words: with a dozen examples per intent, « le », « de » or
// « pour » seen in two of them would otherwise weigh like a content word.
var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`le la les un une des du de d l a au aux et ou en dans sur
		pour par avec ce cet cette ces mon ma mes ton ta tes son sa ses notre nos votre vos leur
		leurs je tu il elle on nous vous ils elles me te se moi toi lui y que qu qui quoi est
		suis es sont etre ai as avez ont c j s t m n se ca cela`) {
		stopWords[w] = true
	}
}
