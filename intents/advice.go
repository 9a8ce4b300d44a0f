package intents

import (
	"fmt"
	"slices"
	"strings"
)

// MinExamplesAdvised is the number of examples under which an intent is hard to recognise
// from texts its designer did not foresee (see the README's few-example benchmark).
const MinExamplesAdvised = 10

// overlapJaccard is the share of content words two examples must have in common to count
// as saying the same thing.
const overlapJaccard = 0.8

// Warnings returns advice about a catalogue that does not stop it from working: intents with
// fewer than MinExamplesAdvised examples, and pairs of intents with examples so alike (the
// same content words, or nearly) that the classifier cannot tell them apart. `relais dialog
// check` prints them.
func Warnings(c *Catalogue) []Problem {
	var out []Problem
	for _, in := range c.Intents {
		if n := len(in.Examples); n < MinExamplesAdvised {
			out = append(out, Problem{in.File, in.Line, fmt.Sprintf(
				"attention : l'intention %s n'a que %d exemple(s) ; %d au moins (15 à 20 de préférence) pour qu'elle soit reconnue",
				in.ID, n, MinExamplesAdvised)})
		}
	}
	return append(out, overlaps(c)...)
}

type contentWords struct {
	intent int
	text   string
	words  []string // sorted, distinct, without function words
}

// overlaps finds the pairs of intents with near-identical examples, through an index of
// words so that only examples sharing a word are compared.
func overlaps(c *Catalogue) []Problem {
	var exs []contentWords
	byWord := map[string][]int{}
	for i, in := range c.Intents {
		for _, text := range in.Examples {
			ws := contentOf(text)
			if len(ws) == 0 {
				continue
			}
			for _, w := range ws {
				byWord[w] = append(byWord[w], len(exs))
			}
			exs = append(exs, contentWords{intent: i, text: text, words: ws})
		}
	}
	type pair struct{ a, b int }
	count := map[pair]int{}
	sample := map[pair][2]string{}
	for k, ex := range exs {
		shared := map[int]int{}
		for _, w := range ex.words {
			for _, j := range byWord[w] {
				if j > k && exs[j].intent != ex.intent {
					shared[j]++
				}
			}
		}
		for j, n := range shared {
			// One shared word is too little to call two examples alike.
			union := len(ex.words) + len(exs[j].words) - n
			if n < 2 || float64(n)/float64(union) < overlapJaccard {
				continue
			}
			p, texts := pair{ex.intent, exs[j].intent}, [2]string{ex.text, exs[j].text}
			if p.a > p.b {
				p, texts = pair{p.b, p.a}, [2]string{texts[1], texts[0]}
			}
			if count[p] == 0 {
				sample[p] = texts
			}
			count[p]++
		}
	}
	pairs := make([]pair, 0, len(count))
	for p := range count {
		pairs = append(pairs, p)
	}
	slices.SortFunc(pairs, func(x, y pair) int { return (x.a*len(c.Intents) + x.b) - (y.a*len(c.Intents) + y.b) })
	var out []Problem
	for _, p := range pairs {
		a, b, s := c.Intents[p.a], c.Intents[p.b], sample[p]
		out = append(out, Problem{a.File, a.Line, fmt.Sprintf(
			"attention : %d exemple(s) de %s et de %s se ressemblent presque mot pour mot (« %s » / « %s ») : le classifieur les confondra",
			count[p], a.ID, b.ID, s[0], s[1])})
	}
	return out
}

// contentOf returns the distinct content words of a text, sorted.
func contentOf(text string) []string {
	var ws []string
	for _, w := range Normalize(text) {
		if !stopWords[w] && !strings.HasPrefix(w, "#") {
			ws = append(ws, w)
		}
	}
	slices.Sort(ws)
	return slices.Compact(ws)
}

// stopWords are French function words, left out when comparing examples.
var stopWords = wordSet(`le la les un une des du de d l a au aux et ou en dans sur pour par
	avec ce cet cette ces mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs je tu
	il elle on nous vous ils elles me te se moi toi lui y que qu qui quoi est suis es sont etre
	ai as avez ont c j s t m n ca cela`)

func wordSet(list string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(list) {
		set[w] = true
	}
	return set
}
