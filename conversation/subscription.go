package conversation

import (
	"context"
	"slices"
	"sync"
	"time"
)

// maxPending bounds the events a Subscription keeps for a reader that does not keep up: past
// it, they are dropped and the reader reads the stream instead.
const maxPending = 256

// Subscription is one reader's line to a conversation: C receives a value whenever the
// conversation may have news, and Next returns it. It never blocks the Hub: wake-ups that
// arrive while one is pending merge.
type Subscription struct {
	C       <-chan struct{}
	c       chan struct{}
	hub     *Hub
	id      string
	channel string
	once    sync.Once

	mu        sync.Mutex
	pending   []Event   // events appended by this process, not yet taken
	transient []Event   // transient events, not yet taken
	notified  int64     // the highest sequence number announced through Redis
	mustRead  bool      // read the stream whatever pending holds
	lastAt    time.Time // time of the last stored event Next returned
}

// Wake makes the next Next read the stream, whatever it was told: a reader that starts over.
func (sub *Subscription) Wake() { sub.reread() }

// Close ends the subscription.
func (sub *Subscription) Close() {
	sub.once.Do(func() { sub.hub.remove(sub) })
}

// Next waits for news, then returns, in order, the transient events received meanwhile (Seq 0)
// and up to limit stored events after seq after. It may return none (nothing new after all).
func (sub *Subscription) Next(ctx context.Context, after int64, limit int) ([]Event, error) {
	return sub.NextAfter(ctx, after, "", limit)
}

// NextAfter is Next for a reader that knows the stream entry of its last event (Event.ID;
// "" when it does not): a read of the stream that does not find it there answers
// ErrRolledBack. A wake with nothing new does not tell: the reader asks Store.Verify.
func (sub *Subscription) NextAfter(ctx context.Context, after int64, entry string, limit int) ([]Event, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-sub.C:
	}
	return sub.Read(ctx, after, entry, limit)
}

// Read is NextAfter once woken, without waiting: for a reader that waits for C in a select of
// its own.
func (sub *Subscription) Read(ctx context.Context, after int64, entry string, limit int) ([]Event, error) {
	sub.mu.Lock()
	pending, out, notified, mustRead := sub.pending, sub.transient, sub.notified, sub.mustRead
	sub.pending, sub.transient, sub.mustRead = nil, nil, false
	sub.mu.Unlock()
	out = sub.fresh(out)
	stored := follow(pending, after, limit)
	for _, ev := range pending { // a gap: one of ours is not here yet, or another's came first
		notified = max(notified, ev.Seq)
	}
	if n := len(stored); mustRead || notified > after+int64(n) {
		var err error
		if stored, err = sub.hub.s.eventsAfter(ctx, sub.id, after, entry, limit); err != nil {
			return nil, err
		}
		if len(stored) == limit {
			sub.reread() // there may be more
		}
	}
	if n := len(stored); n > 0 {
		sub.mu.Lock()
		sub.lastAt = stored[n-1].At
		sub.mu.Unlock()
	}
	return append(out, stored...), nil
}

// fresh drops transient events older than the last stored event returned: a typing
// notification that arrives after the answer it announced.
func (sub *Subscription) fresh(events []Event) []Event {
	sub.mu.Lock()
	lastAt := sub.lastAt
	sub.mu.Unlock()
	return slices.DeleteFunc(events, func(ev Event) bool { return ev.At.Before(lastAt) })
}

// follow returns the events of pending that continue after exactly, in order, up to limit.
func follow(pending []Event, after int64, limit int) []Event {
	if len(pending) == 0 {
		return nil
	}
	slices.SortFunc(pending, func(a, b Event) int { return int(a.Seq - b.Seq) })
	var out []Event
	for _, ev := range pending {
		if ev.Seq == after+1 && len(out) < limit {
			out = append(out, ev)
			after++
		}
	}
	return out
}

func (sub *Subscription) signal() {
	select {
	case sub.c <- struct{}{}:
	default:
	}
}

func (sub *Subscription) reread() {
	sub.mu.Lock()
	sub.mustRead = true
	sub.mu.Unlock()
	sub.signal()
}

// notify records that the stream reached seq, and wakes the reader when wake.
func (sub *Subscription) notify(seq int64, wake bool) {
	sub.mu.Lock()
	sub.notified = max(sub.notified, seq)
	sub.mu.Unlock()
	if wake {
		sub.signal()
	}
}

func (sub *Subscription) handOver(events []Event) {
	sub.mu.Lock()
	if len(sub.pending)+len(events) > maxPending {
		sub.pending, sub.mustRead = nil, true
	} else {
		sub.pending = append(sub.pending, events...)
	}
	sub.mu.Unlock()
	sub.signal()
}

func (sub *Subscription) ephemeral(ev Event) {
	sub.mu.Lock()
	if len(sub.transient) < maxPending {
		sub.transient = append(sub.transient, ev)
	}
	sub.mu.Unlock()
	sub.signal()
}
