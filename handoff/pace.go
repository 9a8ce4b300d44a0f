package handoff

import (
	"context"
	"time"
)

// Changes paces the work that follows queue changes (the customers' positions, the desks'
// queue): the first change after a quiet period is handled a moment later (gather), with the
// changes of its burst; those that come while it is handled or within the period after it are
// handled together at the period's end.
type Changes struct {
	pending chan struct{} // capacity 1: a change came since the last handling began
}

// gather is how long the first change after a quiet period waits for those of its burst (a
// hundred customers handed over at once): a desk's queue or a customer's position a tenth of a
// second later, once instead of during the burst.
const gather = 100 * time.Millisecond

// NewChanges returns a pacer with no change pending.
func NewChanges() *Changes { return &Changes{pending: make(chan struct{}, 1)} }

// Changed records a change; it never blocks.
func (c *Changes) Changed() {
	select {
	case c.pending <- struct{}{}:
	default: // a handling is already due: it sees this change too
	}
}

// Run calls handle after the changes, at most once per every, until ctx ends.
func (c *Changes) Run(ctx context.Context, every time.Duration, handle func(context.Context)) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.pending:
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(gather):
		}
		select {
		case <-c.pending: // the burst's later changes: handled now with the first
		default:
		}
		begun := time.Now()
		handle(ctx)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(begun.Add(every))):
		}
	}
}
