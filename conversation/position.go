package conversation

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/apperr"
)

// A Redis failover to a replica that had not received the last writes rolls a conversation
// back: its events and its seq counter, which then hands out the same sequence numbers again
// to other events. A reader that saw the lost events is ahead of the store, and by seq alone
// it would show events that no longer exist and skip the new ones that reuse their numbers.
//
// So every write tags its entries: the stream entry of seq N is "N-T", with T random for each
// write (Event.ID). An event at seq N after a rollback has another tag than the one lost, and
// a reader that remembers the entry of its last event (not only its seq) finds out: Verify
// and the reads of NextAfter answer ErrRolledBack, and the reader starts over from the start.

// ErrRolledBack says that the reader's last event is no longer in the store: it must drop
// what it holds and read the conversation again from the start.
var ErrRolledBack = apperr.New(apperr.Conflict, "La conversation a été rechargée après une panne du stockage.")

// ErrFull is returned when a write found the conversation at its cap (Options.MaxEvents): it
// ended the conversation instead, with a system message and a closing event.
var ErrFull = apperr.New(apperr.Conflict, "Cette conversation a atteint sa taille maximale : elle est terminée. Vous pouvez en commencer une nouvelle.")

// newTag is the tag of one write's entries: never 0, the tag of entries older than tags.
func newTag() string {
	var b [8]byte
	rand.Read(b[:])
	return strconv.FormatUint(binary.BigEndian.Uint64(b[:])>>1|1, 10)
}

// entryID is the stream entry of seq under tag.
func entryID(seq int64, tag string) string { return strconv.FormatInt(seq, 10) + "-" + tag }

// ParseAfter reads a reader's position as clients send it: "SEQ" or the entry "SEQ-TAG" of
// its last event (Event.ID). ok is false when v is neither.
func ParseAfter(v string) (seq int64, entry string, ok bool) {
	n, tag, hasTag := strings.Cut(v, "-")
	seq, err := strconv.ParseInt(n, 10, 64)
	if err != nil || seq < 0 {
		return 0, "", false
	}
	if hasTag {
		if _, err := strconv.ParseUint(tag, 10, 64); err != nil {
			return 0, "", false
		}
		entry = v
	}
	return seq, entry, true
}

// Verify checks that conversation id still holds a reader's last event: seq after, with the
// stream entry entry when known ("": only the seq is compared with the store's). It answers
// the not-found error when the conversation is gone, ErrRolledBack when the store is behind
// the reader or holds another event at its place.
func (s *Store) Verify(ctx context.Context, id string, after int64, entry string) error {
	pipe := s.st.Client.Pipeline()
	seqCmd := pipe.HGet(ctx, s.metaKey(id), "seq")
	var rng *redis.XMessageSliceCmd
	if entry != "" && after > 0 {
		rng = pipe.XRangeN(ctx, s.streamKey(id), entry, entry, 1)
	}
	_, err := pipe.Exec(ctx)
	if err != nil && !errors.Is(err, redis.Nil) {
		return unavailable(err)
	}
	seq, err := seqCmd.Int64()
	if errors.Is(err, redis.Nil) {
		return errNotFound
	}
	if err != nil {
		return unavailable(err)
	}
	if seq < after || rng != nil && len(rng.Val()) == 0 {
		return ErrRolledBack
	}
	return nil
}

// eventsAfter reads up to limit events after the reader's last one, checking on the way that
// the store still holds it (entry; "" reads by seq alone): ErrRolledBack when it does not.
// An empty answer does not tell: Verify does.
func (s *Store) eventsAfter(ctx context.Context, id string, after int64, entry string, limit int) ([]Event, error) {
	if entry == "" || after == 0 {
		return s.Events(ctx, id, after, limit)
	}
	msgs, err := s.st.Client.XRangeN(ctx, s.streamKey(id), entry, "+", int64(limit)+1).Result()
	if err != nil {
		return nil, unavailable(err)
	}
	if len(msgs) == 0 {
		return nil, nil
	}
	if msgs[0].ID != entry {
		return nil, ErrRolledBack
	}
	events := make([]Event, 0, len(msgs)-1)
	for _, m := range msgs[1:] {
		ev, err := decodeEntry(m)
		if err != nil {
			return nil, err
		}
		events = append(events, ev)
	}
	return events, nil
}

// endingEvents are the JSON of the system message and the closing event that end a
// conversation at its cap.
func (s *Store) endingEvents() (msg, closed []byte) {
	now := s.now().UTC()
	m := Message(FromSystem, "Cette conversation a atteint sa taille maximale et se termine ici. "+
		"Si vous avez encore besoin d'aide, commencez une nouvelle conversation : nous vous répondrons avec plaisir.", nil)
	m.At = now
	msg, _ = json.Marshal(m)
	closed, _ = json.Marshal(Event{Type: TypeClosed, At: now})
	return msg, closed
}

// maxEvents is the cap as the scripts take it (0: none).
func (s *Store) maxEvents() int { return max(s.opts.MaxEvents, 0) }
