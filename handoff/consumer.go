package handoff

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// ConsumeOptions configure Router.Consume.
type ConsumeOptions struct {
	// Group is the consumer group, shared by every instance that applies the notices.
	Group string
	// ClaimAfter is how long a notice may stay unacknowledged by another member before this
	// one takes it over (that member is presumed dead).
	ClaimAfter time.Duration
	// Block is how long one read waits for a new notice (default 250 ms): short, because a
	// blocked read does not end with its context.
	Block time.Duration
	// OnError hears about failures of Redis; the loop pauses a second and goes on.
	OnError func(error)
}

// consumerBatch is the most notices one read hands to apply.
const consumerBatch = 100

// Consume makes this instance a member of the consumer group opts.Group on the notice
// stream and applies every notice the group gives it, in order, until ctx ends: apply
// returns the IDs of the notices it could not apply, which stay pending and are given again
// (to this member or another) after opts.ClaimAfter; the others are acknowledged. Each
// notice is applied by one member only. Members that left (idle with nothing pending for
// staleConsumer) are removed from the group, so that restarts do not accumulate them.
func (r *Router) Consume(ctx context.Context, opts ConsumeOptions, apply func(context.Context, []Notice) (failed []string)) error {
	if opts.Block <= 0 {
		opts.Block = 250 * time.Millisecond
	}
	if opts.OnError == nil {
		opts.OnError = func(error) {}
	}
	c := consumer{r: r, opts: opts, name: "relais-" + randomName(), apply: apply}
	if err := c.createGroup(ctx); err != nil {
		return unavailable(err)
	}
	c.run(ctx)
	return nil
}

// staleConsumer is how long a member of the group may be idle, with nothing pending, before
// another removes it: far longer than any read (they renew the idle time every Block).
const staleConsumer = 10 * time.Minute

type consumer struct {
	r     *Router
	opts  ConsumeOptions
	name  string
	apply func(context.Context, []Notice) []string
}

func (c *consumer) stream() string { return c.r.prefix + "notices" }

// createGroup creates the group once; BUSYGROUP means another instance (or an earlier run) did.
func (c *consumer) createGroup(ctx context.Context) error {
	err := c.r.st.Client.XGroupCreateMkStream(ctx, c.stream(), c.opts.Group, "$").Err()
	if err != nil && !redis.HasErrorPrefix(err, "BUSYGROUP") {
		return err
	}
	return nil
}

func (c *consumer) run(ctx context.Context) {
	defer c.leave()
	lastClaim := time.Time{}
	for ctx.Err() == nil {
		if time.Since(lastClaim) > c.opts.ClaimAfter/3 {
			lastClaim = time.Now()
			c.claim(ctx)
		}
		res, err := c.r.st.Client.XReadGroup(ctx, &redis.XReadGroupArgs{Group: c.opts.Group, Consumer: c.name,
			Streams: []string{c.stream(), ">"}, Count: consumerBatch, Block: c.opts.Block}).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			c.failed(ctx, err)
			continue
		}
		for _, st := range res {
			c.handle(ctx, st.Messages)
		}
	}
}

// failed reports a read error, recreates the group when it is gone (a flushed or failed-over
// Redis) and pauses.
func (c *consumer) failed(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return
	}
	c.opts.OnError(err)
	if redis.HasErrorPrefix(err, "NOGROUP") {
		if err := c.createGroup(ctx); err != nil {
			c.opts.OnError(err)
		}
	}
	pause(ctx, time.Second)
}

// claim takes over the notices other members left pending for ClaimAfter, and removes the
// members that are gone.
func (c *consumer) claim(ctx context.Context) {
	msgs, _, err := c.r.st.Client.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: c.stream(), Group: c.opts.Group,
		Consumer: c.name, MinIdle: c.opts.ClaimAfter, Start: "0-0", Count: consumerBatch}).Result()
	if err != nil {
		c.failed(ctx, err)
		return
	}
	if len(msgs) > 0 {
		c.handle(ctx, msgs)
	}
	c.removeStale(ctx)
}

// removeStale deletes the group's members idle for staleConsumer with nothing pending.
func (c *consumer) removeStale(ctx context.Context) {
	members, err := c.r.st.Client.XInfoConsumers(ctx, c.stream(), c.opts.Group).Result()
	if err != nil {
		return
	}
	for _, m := range members {
		if m.Name != c.name && m.Pending == 0 && m.Idle > staleConsumer {
			c.r.st.Client.XGroupDelConsumer(ctx, c.stream(), c.opts.Group, m.Name)
		}
	}
}

// handle applies a batch and acknowledges what was applied.
func (c *consumer) handle(ctx context.Context, msgs []redis.XMessage) {
	notices := make([]Notice, 0, len(msgs))
	var done []string
	for _, m := range msgs {
		if m.Values == nil { // trimmed from the stream meanwhile
			done = append(done, m.ID)
			continue
		}
		notices = append(notices, noticeOf(m))
	}
	failed := map[string]bool{}
	for _, id := range c.apply(ctx, notices) {
		failed[id] = true
	}
	for _, n := range notices {
		if !failed[n.ID] {
			done = append(done, n.ID)
		}
	}
	if len(done) > 0 {
		if err := c.r.st.Client.XAck(ctx, c.stream(), c.opts.Group, done...).Err(); err != nil {
			c.opts.OnError(err)
		}
	}
}

// leave removes this member from the group when it has nothing pending (a member with
// pending notices stays, for another to claim them).
func (c *consumer) leave() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	pending, err := c.r.st.Client.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: c.stream(), Group: c.opts.Group,
		Consumer: c.name, Start: "-", End: "+", Count: 1}).Result()
	if err == nil && len(pending) == 0 {
		c.r.st.Client.XGroupDelConsumer(ctx, c.stream(), c.opts.Group, c.name)
	}
}

// noticeOf reads a notice stream entry, as the routing scripts write it.
func noticeOf(m redis.XMessage) Notice {
	v := func(k string) string { s, _ := m.Values[k].(string); return s }
	n := newNotice(m.ID, v("k"), v("t"), v("c"), v("a"), v("x"), v("at"))
	var flat []any
	if task := v("task"); task != "" && json.Unmarshal([]byte(task), &flat) == nil {
		t := taskFromHash(pairs(flat))
		n.Task = &t
	}
	return n
}

// pause waits d or until ctx ends.
func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func randomName() string {
	b := make([]byte, 9)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
