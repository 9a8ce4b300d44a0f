package intents

import (
	"cmp"
	"slices"
)

// feature is one hashed input of the classifier and its share of the text.
type feature struct {
	bucket uint32
	weight float32
}

// featureSpec says which hashed features describe a text. Word unigrams and bigrams carry
// meaning; character n-grams of each word ("<factu", "ture>") survive typos, missing accents
// and SMS spelling.
type featureSpec struct {
	Buckets  uint32 // size of the hashing space
	MinGram  int    // shortest character n-gram
	MaxGram  int    // longest character n-gram
	Bigrams  bool   // word bigrams
	CharBias float32
}

const (
	kindWord   = 'w'
	kindBigram = 'b'
	kindChar   = 'c'
)

// extract returns the text's features, merged by bucket, each weighted by its count (and
// CharBias for character n-grams).
func (s featureSpec) extract(words []string) []feature {
	if len(words) == 0 {
		return nil
	}
	fs := make([]feature, 0, len(words)*12)
	s.each(words, func(bucket uint32, w float32) {
		fs = append(fs, feature{bucket: bucket, weight: w})
	})
	return mergeFeatures(fs)
}

// each calls fn for every feature occurrence of the text, unmerged: prediction sums them
// directly, which is cheaper than sorting them into a set.
func (s featureSpec) each(words []string, fn func(bucket uint32, weight float32)) {
	s.walk(words, func(bucket uint32, char bool) {
		if char {
			fn(bucket, s.CharBias)
		} else {
			fn(bucket, 1)
		}
	})
}

// walk calls fn for every feature occurrence of the text, saying whether it is a character
// n-gram.
func (s featureSpec) walk(words []string, fn func(bucket uint32, char bool)) {
	add := func(h uint64, char bool) { fn(uint32(h%uint64(s.Buckets)), char) }
	for i, w := range words {
		add(hashWord(kindWord, w, ""), false)
		if s.Bigrams && i > 0 {
			add(hashWord(kindBigram, words[i-1], w), false)
		}
		s.charGrams(w, func(h uint64) { add(h, true) })
	}
}

// charGrams calls fn with the hash of every character n-gram of "<w>".
func (s featureSpec) charGrams(w string, fn func(uint64)) {
	if s.MaxGram == 0 || w[0] == '#' {
		return
	}
	padded := make([]byte, 0, len(w)+2)
	padded = append(padded, '<')
	padded = append(padded, w...)
	padded = append(padded, '>')
	for n := s.MinGram; n <= s.MaxGram; n++ {
		for i := 0; i+n <= len(padded); i++ {
			if n == len(padded) {
				continue // the whole word is already a word feature
			}
			fn(hashBytes(kindChar, padded[i:i+n]))
		}
	}
}

// mergeFeatures sums the weights of features that share a bucket.
func mergeFeatures(fs []feature) []feature {
	slices.SortFunc(fs, func(a, b feature) int { return cmp.Compare(a.bucket, b.bucket) })
	out := fs[:0]
	for _, f := range fs {
		if n := len(out); n > 0 && out[n-1].bucket == f.bucket {
			out[n-1].weight += f.weight
			continue
		}
		out = append(out, f)
	}
	return out
}

// weigh multiplies each feature's weight by the inverse document frequency of its bucket,
// then scales the weights to sum to 1: the text's bag is a weighted mean of its features,
// where rare, telling features count more than "je", "de" or "<de>". idf(i) is the IDF of
// fs[i]'s bucket.
func weigh(fs []feature, idf func(i int) float32) {
	var total float32
	for i := range fs {
		fs[i].weight *= idf(i)
		total += fs[i].weight
	}
	for i := range fs {
		fs[i].weight /= total
	}
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashWord(kind byte, a, b string) uint64 {
	h := uint64(fnvOffset)
	h = (h ^ uint64(kind)) * fnvPrime
	for i := 0; i < len(a); i++ {
		h = (h ^ uint64(a[i])) * fnvPrime
	}
	if b != "" {
		h = (h ^ ' ') * fnvPrime
		for i := 0; i < len(b); i++ {
			h = (h ^ uint64(b[i])) * fnvPrime
		}
	}
	return h
}

func hashBytes(kind byte, p []byte) uint64 {
	h := uint64(fnvOffset)
	h = (h ^ uint64(kind)) * fnvPrime
	for _, c := range p {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}
