package conversation

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Lock is another package's per-conversation lock, with the data kept under it, that Post
// takes in the same script as the customer's message and Append releases in the same script
// as the answer. The dialog engine's session is one: its turn then costs no round trip of its
// own. The protocol is the owner's: the lock key holds Token while taken and expires after
// TTL; releasing writes Data to DataKey (kept DataTTL) only while Token still holds the lock.
// Both keys must carry the conversation's hash tag {id}.
type Lock struct {
	Key, DataKey string
	Token        string
	TTL          time.Duration // of the lock
}

// Release gives a Lock back with the data to keep under it (nil: keep the data as it is).
type Release struct {
	Lock
	Data    []byte
	DataTTL time.Duration
}

// lockKeys and lockArgs are the script arguments of an optional lock.
func lockKeys(keys []string, l *Lock) []string {
	if l == nil {
		return keys
	}
	return append(keys, l.Key, l.DataKey)
}

func lockArgs(l *Lock) (token, ttl string) {
	if l == nil {
		return "", "0"
	}
	return l.Token, strconv.FormatInt(l.TTL.Milliseconds(), 10)
}

// Take waits until the lock is free, takes it and returns its data: for a message Post
// stored while another turn of the conversation held the lock (Posted.Held false). It
// retries until ctx ends.
func (s *Store) Take(ctx context.Context, l Lock) (string, error) {
	for wait := time.Millisecond; ; wait = min(2*wait, 20*time.Millisecond) {
		data, err := takeScript.Run(ctx, s.st.Client, []string{l.Key, l.DataKey}, l.Token, l.TTL.Milliseconds()).Text()
		if err == nil {
			return data, nil
		}
		if !errors.Is(err, redis.Nil) {
			return "", unavailable(err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", unavailable(ctx.Err())
		case <-t.C:
		}
	}
}

// Unlock releases a lock Post took, keeping its data as it was: after a failed turn.
func (s *Store) Unlock(ctx context.Context, l Lock) error {
	if err := unlockScript.Run(ctx, s.st.Client, []string{l.Key}, l.Token).Err(); err != nil {
		return unavailable(err)
	}
	return nil
}

// CreateLocked is Create that also takes the lock lockOf gives for the new conversation (nil:
// none), in the same transaction: nobody else can know the conversation yet, so it is free.
func (s *Store) CreateLocked(ctx context.Context, lockOf func(id string) *Lock) (Conversation, error) {
	c := Conversation{ID: randomString(16), Token: randomString(32)}
	l := lockOf(c.ID)
	meta := s.metaKey(c.ID)
	_, err := s.st.Client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, meta, "token", HashToken(c.Token), "owner", string(OwnerBot), "seq", 0,
			"created", s.now().UTC().Format(time.RFC3339Nano))
		p.Expire(ctx, meta, s.opts.TTL)
		if l != nil {
			p.Set(ctx, l.Key, l.Token, l.TTL)
		}
		return nil
	})
	if err != nil {
		return Conversation{}, unavailable(err)
	}
	return c, nil
}
