package desk

import (
	"context"
	"slices"
	"strings"
	"unicode"

	"github.com/redis/go-redis/v9"
)

// The name index finds a customer by the start of any word of their name, ignoring case,
// accents and the ligatures œ and æ (« sophie », « SOPH », « mar » find « Sophie Martin »).
// It spans every person, so it lives outside the homes: one sorted set per word prefix,
// <prefix>idx:name:<prefix of a word>, each member "<folded name>\x00<customer id>" at
// score 0, so a range reads names in alphabetical order. The sets are written after the
// customer's script, as the phone index is: when a customer is created, when their name
// changes (the old name's entries removed), and removed on erase. A writer that dies in
// between leaves an entry that readers check against the record, as every index hit.
// Customers recorded before the index existed are found by name once their record is
// saved again, or once IndexNames ran (relais serve runs it at start, once per store).

// Name prefixes: words are indexed from minNamePrefix runes up to maxNamePrefix; a
// longer word in a query is looked up by its first maxNamePrefix runes and checked against
// the names read.
const (
	minNamePrefix = 2
	maxNamePrefix = 20
	nameScan      = 200 // entries of one prefix set read for a query of several words
)

func (d *Desk) nameKey(prefix string) string { return d.gkey("idx", "name", prefix) }

// nameWords is name folded (TagKey) and cut into words of letters and digits.
func nameWords(name string) (folded string, words []string) {
	folded = TagKey(name)
	words = strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	return folded, words
}

// namePrefixes are the index keys' prefixes of name's words, each once.
func namePrefixes(name string) (folded string, prefixes []string) {
	folded, words := nameWords(name)
	for _, w := range words {
		r := []rune(w)
		for n := minNamePrefix; n <= min(len(r), maxNamePrefix); n++ {
			prefixes = append(prefixes, string(r[:n]))
		}
	}
	slices.Sort(prefixes)
	return folded, slices.Compact(prefixes)
}

// indexName adds customer id's name to the index; unindexName removes it.
func (d *Desk) indexName(ctx context.Context, id, name string) error {
	return d.nameEntries(ctx, id, name, func(p redis.Pipeliner, key, member string) {
		p.ZAdd(ctx, key, redis.Z{Member: member})
	})
}

func (d *Desk) unindexName(ctx context.Context, id, name string) error {
	return d.nameEntries(ctx, id, name, func(p redis.Pipeliner, key, member string) {
		p.ZRem(ctx, key, member)
	})
}

// nameEntries applies do to every index entry of id's name, in one pipeline (the keys are
// in several slots: the cluster client splits it).
func (d *Desk) nameEntries(ctx context.Context, id, name string, do func(p redis.Pipeliner, key, member string)) error {
	folded, prefixes := namePrefixes(name)
	if len(prefixes) == 0 {
		return nil
	}
	member := folded + "\x00" + id
	_, err := d.st.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, pre := range prefixes {
			do(p, d.nameKey(pre), member)
		}
		return nil
	})
	if err != nil {
		return unavailable(err)
	}
	return nil
}

// renameIndex moves customer id from name old to name new in the index.
func (d *Desk) renameIndex(ctx context.Context, id, old, new string) error {
	if TagKey(old) == TagKey(new) {
		return d.indexName(ctx, id, new) // harmless: repairs an entry a dead writer left out
	}
	if err := d.unindexName(ctx, id, old); err != nil {
		return err
	}
	return d.indexName(ctx, id, new)
}

// byName returns the ids of the customers whose name has a word starting with each word
// of q, in the order of their folded names, at most maxSearched. It reads one prefix set:
// that of q's longest word (the fewest names), its first maxSearched entries for a single
// word, else its first nameScan entries filtered by the other words.
func (d *Desk) byName(ctx context.Context, q string) ([]string, error) {
	_, words := nameWords(q)
	if len(words) == 0 {
		return nil, nil
	}
	longest := slices.MaxFunc(words, func(a, b string) int { return len([]rune(a)) - len([]rune(b)) })
	r := []rune(longest)
	if len(r) < minNamePrefix {
		return nil, nil
	}
	n := int64(maxSearched)
	if len(words) > 1 || len(r) > maxNamePrefix {
		n = nameScan
	}
	members, err := d.st.Client.ZRange(ctx, d.nameKey(string(r[:min(len(r), maxNamePrefix)])), 0, n-1).Result()
	if err != nil {
		return nil, unavailable(err)
	}
	var ids []string
	for _, m := range members {
		folded, id, ok := strings.Cut(m, "\x00")
		if ok && nameMatches(folded, words) {
			ids = append(ids, id)
		}
	}
	return ids[:min(len(ids), maxSearched)], nil
}

// nameMatches says whether every word of query starts a word of the folded name.
func nameMatches(folded string, query []string) bool {
	_, words := nameWords(folded)
	for _, q := range query {
		if !slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(w, q) }) {
			return false
		}
	}
	return true
}

// IndexNames adds every customer's name to the name index, once per store (for the
// customers recorded before it existed): a later call finds the mark it left and does
// nothing. It returns how many customers it indexed.
func (d *Desk) IndexNames(ctx context.Context) (int, error) {
	mark := d.gkey("idx", "names-built")
	n, err := d.st.Client.Exists(ctx, mark).Result()
	if err != nil {
		return 0, unavailable(err)
	}
	if n == 1 {
		return 0, nil
	}
	recs, err := d.records(ctx, "customer")
	if err != nil {
		return 0, err
	}
	for _, rec := range recs {
		if err := d.indexName(ctx, rec.h["id"], rec.h["name"]); err != nil {
			return 0, err
		}
	}
	if err := d.st.Client.Set(ctx, mark, "1", 0).Err(); err != nil {
		return 0, unavailable(err)
	}
	return len(recs), nil
}
