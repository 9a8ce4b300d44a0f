package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/apperr"
)

// Internal notes: what agents write about a conversation for one another. They are kept
// beside the conversation, under its hash tag, but apart from its events: no customer route
// (events, websocket, the turn's answer) reads this key, so a note can never reach the
// customer. They expire when the conversation does: each of its events renews their lifetime
// with its own, each write and each read sets it to the conversation's, and once the
// conversation is gone they are not read.

// Note is one internal note.
type Note struct {
	ID        string    `json:"id"`
	At        time.Time `json:"at"`
	AgentID   string    `json:"agent_id"`
	AgentName string    `json:"agent_name"`
	Text      string    `json:"text"`
}

// MaxNotes caps the notes of one conversation.
const MaxNotes = 200

var errTooManyNotes = apperr.Errorf(apperr.Conflict, "Cette conversation a déjà %d notes internes.", MaxNotes)

func (s *Store) notesKey(id string) string { return s.st.Key("conv", "{"+id+"}", "notes") }

// AddNote appends n (its ID and time set here) to conversation id's notes. The conversation
// must exist; the check and the write are one WATCH/MULTI transaction on its keys.
func (s *Store) AddNote(ctx context.Context, id string, n Note) (Note, error) {
	if !ValidID(id) {
		return Note{}, errNotFound
	}
	n.ID, n.At = randomString(9), s.now().UTC()
	data, err := json.Marshal(n)
	if err != nil {
		return Note{}, err
	}
	meta, key := s.metaKey(id), s.notesKey(id)
	add := func(tx *redis.Tx) error {
		ttl, err := tx.PTTL(ctx, meta).Result()
		if err != nil {
			return err
		}
		if ttl == -2 { // no conversation (PTTL's -2, not a duration)
			return errNotFound
		}
		if count, err := tx.LLen(ctx, key).Result(); err != nil {
			return err
		} else if count >= MaxNotes {
			return errTooManyNotes
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.RPush(ctx, key, data)
			if ttl > 0 {
				p.PExpire(ctx, key, ttl)
			}
			return nil
		})
		return err
	}
	for range 5 {
		err = s.st.Client.Watch(ctx, add, meta, key)
		if !errors.Is(err, redis.TxFailedErr) {
			break
		}
	}
	return n, noteErr(err)
}

// Notes returns conversation id's notes, oldest first; none once the conversation is gone.
func (s *Store) Notes(ctx context.Context, id string) ([]Note, error) {
	if !ValidID(id) {
		return nil, errNotFound
	}
	meta, key := s.metaKey(id), s.notesKey(id)
	var ttl *redis.DurationCmd
	var raw *redis.StringSliceCmd
	_, err := s.st.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		ttl = p.PTTL(ctx, meta)
		raw = p.LRange(ctx, key, 0, -1)
		return nil
	})
	if err != nil {
		return nil, unavailable(err)
	}
	if d := ttl.Val(); d > 0 {
		s.st.Client.PExpire(ctx, key, d) // the conversation went on: so do its notes
	} else if d != -1 {
		s.st.Client.Del(ctx, key)
		return nil, errNotFound
	}
	notes := make([]Note, 0, len(raw.Val()))
	for _, r := range raw.Val() {
		var n Note
		if json.Unmarshal([]byte(r), &n) == nil {
			notes = append(notes, n)
		}
	}
	return notes, nil
}

// noteErr passes the store's own errors and makes Redis failures unavailable.
func noteErr(err error) error {
	if err == nil || apperr.CodeOf(err) != apperr.Internal {
		return err
	}
	return unavailable(err)
}
