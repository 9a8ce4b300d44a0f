package desk

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/apperr"
)

// The text index finds the conversations the desk handled by the words of their customers'
// and agents' messages, whoever the customer is (known or not). Words are folded as tags
// (TagKey: case, accents, œ/æ) and cut at anything but letters and digits; a word has
// minWordRunes to maxWordRunes runes (a longer one is indexed by its first maxWordRunes). It
// spans every person, so it lives outside the homes:
//
//	<P>idx:text:<word>       zset: the conversations holding the word, scored by the time of
//	                          their latest message holding it (unix ms), the newest
//	                          maxPerWord kept, none older than the index lifetime
//	<P>conv:<conv>:words     hash: every word indexed for the conversation → "<seq> <unix ms>"
//	                          of its latest message holding it; field "." is the last event
//	                          the catch-up read (IndexedThrough)
//
// The conversation's hash is written before the word sets (so that Erase finds every set
// that may hold the conversation), both renewed to the index lifetime at each write. A
// search reads the smallest set of its words, then each candidate's hash: a candidate lacking
// a word, erased or expired is dropped, whatever the sets still say.
const (
	minWordRunes   = 2
	maxWordRunes   = 30
	maxPerWord     = 1000 // conversations kept per word, the newest
	textCandidates = 200  // entries of the smallest word set a search reads
	maxTextHits    = 40   // hits a search returns, the newest
	maxQueryWords  = 8
	markField      = "."
)

// A search text has MinTextQuery to MaxTextQuery characters once trimmed (this search and
// the server's search in one customer's conversations).
const (
	MinTextQuery = 2
	MaxTextQuery = 200
)

// ErrTextQuery refuses a search text without a word to look for, or too long.
var ErrTextQuery = apperr.Errorf(apperr.Invalid, "Saisissez de %d à %d caractères, dont au moins un mot de %d lettres ou chiffres.",
	MinTextQuery, MaxTextQuery, minWordRunes)

// errTooManyWords refuses a search of more than maxQueryWords words.
var errTooManyWords = apperr.Errorf(apperr.Invalid, "Cherchez %d mots au plus.", maxQueryWords)

func (d *Desk) textKey(word string) string  { return d.gkey("idx", "text", word) }
func (d *Desk) wordsKey(conv string) string { return d.gkey("conv", conv, "words") }

// TextWords are the words of s as the text index holds them, each once, in order.
func TextWords(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(TagKey(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		r := []rune(w)
		if len(r) < minWordRunes {
			continue
		}
		if len(r) > maxWordRunes {
			w = string(r[:maxWordRunes])
		}
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// Line is a message of a conversation, as the text index reads it.
type Line struct {
	Seq  int64
	At   time.Time
	Text string
}

// IndexText adds the words of lines, messages of conversation conv, to the text index;
// through, when above 0, is the last event of the conversation read for it (IndexedThrough).
func (d *Desk) IndexText(ctx context.Context, conv string, lines []Line, through int64) error {
	if !validID(conv) {
		return nil
	}
	latest := map[string]Line{}
	for _, l := range lines {
		for _, w := range TextWords(l.Text) {
			if cur, ok := latest[w]; !ok || l.Seq > cur.Seq {
				latest[w] = l
			}
		}
	}
	if len(latest) == 0 && through <= 0 {
		return nil
	}
	if err := d.writeWords(ctx, conv, latest, through); err != nil {
		return err
	}
	return d.addToWordSets(ctx, conv, latest)
}

// writeWords records in conv's hash the words about to be indexed, and the catch-up's mark.
func (d *Desk) writeWords(ctx context.Context, conv string, latest map[string]Line, through int64) error {
	key := d.wordsKey(conv)
	fields := make([]any, 0, 2*len(latest)+2)
	for w, l := range latest {
		fields = append(fields, w, strconv.FormatInt(l.Seq, 10)+" "+strconv.FormatInt(l.At.UnixMilli(), 10))
	}
	if through > 0 {
		fields = append(fields, markField, strconv.FormatInt(through, 10))
	}
	return d.write(ctx, key, func(c redis.Cmdable) error {
		_, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.HSet(ctx, key, fields...)
			p.PExpire(ctx, key, d.indexTTL)
			return nil
		})
		return err
	})
}

// addToWordSets puts conv in the set of each word, trimmed to the newest maxPerWord within
// the index lifetime. The sets are in many slots: one pipeline, split by the cluster client.
func (d *Desk) addToWordSets(ctx context.Context, conv string, latest map[string]Line) error {
	if len(latest) == 0 {
		return nil
	}
	cutoff := "(" + strconv.FormatInt(d.now().Add(-d.indexTTL).UnixMilli(), 10)
	_, err := d.st.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for w, l := range latest {
			key := d.textKey(w)
			p.ZAddGT(ctx, key, redis.Z{Score: float64(l.At.UnixMilli()), Member: conv})
			p.ZRemRangeByScore(ctx, key, "-inf", cutoff)
			p.ZRemRangeByRank(ctx, key, 0, -maxPerWord-1)
			p.PExpire(ctx, key, d.indexTTL)
		}
		return nil
	})
	if err != nil {
		return unavailable(err)
	}
	return nil
}

// Handles says whether the desk filed an interaction for conversation conv (an agent took it),
// still within the index lifetime.
func (d *Desk) Handles(ctx context.Context, conv string) (bool, error) {
	aid, err := d.readPointer(ctx, d.convLatestKey(conv))
	return aid != "", err
}

// IndexedThrough is the last event of conversation conv the text index read (0: none).
func (d *Desk) IndexedThrough(ctx context.Context, conv string) (int64, error) {
	if !validID(conv) {
		return 0, nil
	}
	v, err := d.st.Client.HGet(ctx, d.wordsKey(conv), markField).Result()
	if err != nil && err != redis.Nil {
		return 0, unavailable(err)
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	return n, nil
}

// TextHit is a conversation holding every word of a search: for each word, the seq and
// time of its latest message holding it.
type TextHit struct {
	ConversationID string
	Seqs           map[string]int64
	At             time.Time // the latest of the words' times
}

// TextFound is what SearchText found: the search's words, the hits newest first, and More
// when conversations were left out (beyond the hits or the candidates read).
type TextFound struct {
	Words []string
	Hits  []TextHit
	More  bool
}

// SearchText finds the conversations holding every word of q, newest first, at most
// maxTextHits. Its cost is bounded whatever the desk holds: one ZCARD per word, one range of
// the smallest set (textCandidates entries), one HMGET per candidate.
func (d *Desk) SearchText(ctx context.Context, q string) (TextFound, error) {
	if n := len([]rune(strings.TrimSpace(q))); n < MinTextQuery || n > MaxTextQuery {
		return TextFound{}, ErrTextQuery
	}
	words := TextWords(q)
	switch {
	case len(words) == 0:
		return TextFound{}, ErrTextQuery
	case len(words) > maxQueryWords:
		return TextFound{}, errTooManyWords
	}
	found := TextFound{Words: words}
	rarest, err := d.rarestWord(ctx, words)
	if err != nil || rarest == "" {
		return found, err
	}
	since := strconv.FormatInt(d.now().Add(-d.indexTTL).UnixMilli(), 10)
	convs, err := d.st.Client.ZRevRangeByScore(ctx, d.textKey(rarest), &redis.ZRangeBy{Max: "+inf", Min: since,
		Count: textCandidates + 1}).Result()
	if err != nil {
		return found, unavailable(err)
	}
	if len(convs) > textCandidates {
		convs, found.More = convs[:textCandidates], true
	}
	if found.Hits, err = d.holding(ctx, convs, words); err != nil {
		return found, err
	}
	slices.SortStableFunc(found.Hits, func(a, b TextHit) int { return b.At.Compare(a.At) })
	if len(found.Hits) > maxTextHits {
		found.Hits, found.More = found.Hits[:maxTextHits], true
	}
	return found, nil
}

// rarestWord is the word of words in the fewest conversations, "" when one is in none.
func (d *Desk) rarestWord(ctx context.Context, words []string) (string, error) {
	cards := make([]*redis.IntCmd, len(words))
	_, err := d.st.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, w := range words {
			cards[i] = p.ZCard(ctx, d.textKey(w))
		}
		return nil
	})
	if err != nil {
		return "", unavailable(err)
	}
	best := 0
	for i, c := range cards {
		if c.Val() == 0 {
			return "", nil
		}
		if c.Val() < cards[best].Val() {
			best = i
		}
	}
	return words[best], nil
}

// holding are the conversations of convs whose hash holds every word, in the order of convs.
func (d *Desk) holding(ctx context.Context, convs, words []string) ([]TextHit, error) {
	got := make([]*redis.SliceCmd, len(convs))
	_, err := d.st.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, c := range convs {
			got[i] = p.HMGet(ctx, d.wordsKey(c), words...)
		}
		return nil
	})
	if err != nil && err != redis.Nil {
		return nil, unavailable(err)
	}
	var hits []TextHit
	for i, c := range convs {
		if h, ok := textHit(c, words, got[i].Val()); ok {
			hits = append(hits, h)
		}
	}
	return hits, nil
}

// textHit reads conversation conv's values of words ("<seq> <unix ms>"); false when one lacks.
func textHit(conv string, words []string, vals []any) (TextHit, bool) {
	h := TextHit{ConversationID: conv, Seqs: make(map[string]int64, len(words))}
	for i, w := range words {
		v, _ := vals[i].(string)
		seq, ms, ok := strings.Cut(v, " ")
		n, err := strconv.ParseInt(seq, 10, 64)
		if !ok || err != nil {
			return TextHit{}, false
		}
		h.Seqs[w] = n
		at, _ := strconv.ParseInt(ms, 10, 64)
		if t := time.UnixMilli(at); t.After(h.At) {
			h.At = t
		}
	}
	return h, true
}

// unindexText removes conversation conv from every word set its hash names, then the hash;
// it returns how many entries went.
func (d *Desk) unindexText(ctx context.Context, conv string) (int64, error) {
	key := d.wordsKey(conv)
	words, err := d.st.Client.HKeys(ctx, key).Result()
	if err != nil {
		return 0, unavailable(err)
	}
	rems := make([]*redis.IntCmd, 0, len(words))
	_, err = d.st.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, w := range words {
			if w != markField {
				rems = append(rems, p.ZRem(ctx, d.textKey(w), conv))
			}
		}
		return nil
	})
	if err != nil {
		return 0, unavailable(err)
	}
	var n int64
	for _, r := range rems {
		n += r.Val()
	}
	gone, err := d.del(ctx, key)
	return n + gone, err
}
