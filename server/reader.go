package server

import (
	"context"
	"errors"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
)

// fetchBatch is how many events one stream read returns.
const fetchBatch = 100

// cursor is a reader's place: its last event's seq and stream entry.
type cursor struct {
	seq   int64
	entry string
}

// reader is a socket's reading of a conversation (a customer's feed, a desk's forwarder):
// each time its subscription wakes, the events after pos, which its owner advances as it
// sends them.
type reader struct {
	conv *conversation.Store
	id   string
	sub  *conversation.Subscription
	pos  cursor
}

// read returns the events after pos, once the subscription woke. A wake with nothing new is
// also when the store is asked whether it still holds pos (verify): the error is then the
// conversation gone (apperr.NotFound) or conversation.ErrRolledBack.
func (r *reader) read(ctx context.Context) ([]conversation.Event, error) {
	events, err := r.sub.Read(ctx, r.pos.seq, r.pos.entry, fetchBatch)
	if err == nil && len(events) == 0 {
		err = r.verify(ctx)
	}
	return events, err
}

// verify checks that the store still holds pos: the Hub's safety poll wakes every reader
// regularly, and a conversation that expires, or is rolled back, announces nothing. It
// answers the conversation gone or rolled back; nil otherwise (Redis unreachable: the next
// read says so).
func (r *reader) verify(ctx context.Context) error {
	err := r.conv.Verify(ctx, r.id, r.pos.seq, r.pos.entry)
	if apperr.CodeOf(err) == apperr.NotFound || errors.Is(err, conversation.ErrRolledBack) {
		return err
	}
	return nil
}
