package conversation

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// Erased is what Delete removed from one conversation, counted for a proof of erasure.
type Erased struct {
	Keys   int   // Redis keys deleted
	Events int64 // events of its stream
	Notes  int64 // internal notes
	Files  int64 // attachments
}

// Delete erases conversation id: every key under its hash tag whose name starts with the
// conversation's (metadata, events, rate, notes, attachments, idempotency records, and what other packages
// keep there, such as the relay's « told » key). Deleting a conversation already gone deletes
// nothing and is not an error. Afterwards the conversation answers not found. A writer that
// was appending at that very moment may leave a key behind: deleting again removes it.
func (s *Store) Delete(ctx context.Context, id string) (Erased, error) {
	if !ValidID(id) {
		return Erased{}, nil
	}
	keys, err := scanTag(ctx, s.st.Client, s.metaKey(id), s.metaKey(id)+"*")
	if err != nil {
		return Erased{}, unavailable(err)
	}
	if len(keys) == 0 {
		return Erased{}, nil
	}
	var events, notes, files *redis.IntCmd
	var del *redis.IntCmd
	_, err = s.st.Client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		events = p.XLen(ctx, s.streamKey(id))
		notes = p.LLen(ctx, s.notesKey(id))
		files = p.HLen(ctx, s.filesKey(id))
		del = p.Del(ctx, keys...)
		return nil
	})
	if err != nil {
		return Erased{}, unavailable(err)
	}
	// Its live readers, on every process, read again at once and find it gone (the customer's
	// socket is closed with 4404), rather than at their next safety poll.
	s.st.Client.Publish(ctx, s.channel(id), "gone")
	return Erased{Keys: int(del.Val()), Events: events.Val(), Notes: notes.Val(), Files: files.Val()}, nil
}

// scanTag returns the keys matching pattern, which must all share slotKey's hash tag: on a
// Redis Cluster it scans the master holding that slot only, elsewhere the one server.
func scanTag(ctx context.Context, c redis.UniversalClient, slotKey, pattern string) ([]string, error) {
	var node redis.Cmdable = c
	if cc, ok := c.(*redis.ClusterClient); ok {
		n, err := cc.MasterForKey(ctx, slotKey)
		if err != nil {
			return nil, err
		}
		node = n
	}
	var keys []string
	for cursor := uint64(0); ; {
		page, next, err := node.Scan(ctx, cursor, pattern, 500).Result()
		if err != nil {
			return nil, err
		}
		keys = append(keys, page...)
		if cursor = next; cursor == 0 {
			return keys, nil
		}
	}
}
