package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Hub wakes this process's readers of a conversation when any process appends to it.
//
// Redis pub/sub is at-most-once, so a notification from another process only says "read the
// stream again from where you are". A reader reads when its subscription is confirmed
// (closing the window between its first read and the subscription), on every notification of
// a sequence number it has not seen, after a pub/sub reconnection (go-redis resubscribes and
// Redis confirms again) and every SafetyInterval, so a lost notification delays an event at
// most that long and never loses it.
//
// Events appended through this process's Store skip the read: the Store hands them to the
// local readers at once (the customer → agent path when both sockets are here), and the
// notification that follows through Redis finds nothing new. A reader uses them only when
// they continue its sequence exactly; anything else (a gap, a reread) goes to the stream.
//
// Transient events (the bot's typing) travel through pub/sub only, never stored, without Seq.
//
// A Hub does nothing until Run: NewHub sends nothing to Redis and starts nothing. Readers that
// subscribe before Run are woken when it starts (their confirmations are read then).
type Hub struct {
	s      *Store
	ps     *redis.PubSub
	log    *slog.Logger
	safety time.Duration

	// subscribe and unsubscribe send SUBSCRIBE and UNSUBSCRIBE (the PubSub's, or a test's).
	subscribe, unsubscribe func(ctx context.Context, channel string) error

	mu    sync.Mutex
	subs  map[string]map[*Subscription]struct{} // channel → subscriptions
	lines map[string]*line                      // channel → the order of its commands
	// inflight counts, by channel, the appends of this process under way (Store.appending):
	// their notification through Redis does not wake the readers here, the events are about
	// to be handed to them.
	inflight map[string]int

	done      chan struct{} // closed by Close
	closeOnce sync.Once
	stopOnce  sync.Once
	stopErr   error
	started   atomic.Bool
	stopped   chan struct{} // closed when Run returns
}

// line orders one channel's membership changes with their SUBSCRIBE and UNSUBSCRIBE
// commands: a channel's last reader leaving and a new first one arriving send their commands
// in the order of their membership changes, so Redis is never left unsubscribed from a channel
// that has readers. Other channels do not wait for it.
type line struct {
	mu    sync.Mutex // held across the channel's membership change and its command
	users int        // under Hub.mu: subscriptions and Subscribe calls holding the line
}

// NewHub returns a Hub on s's Redis and makes s hand it the events s appends; safety ≤ 0
// means 30 s. Run runs it; Close releases it.
func NewHub(s *Store, log *slog.Logger, safety time.Duration) *Hub {
	// A PubSub without channels sends nothing: the context is not used.
	ps := s.st.Client.Subscribe(context.Background())
	h := newHub(s, log, safety)
	h.ps = ps
	h.subscribe = func(ctx context.Context, ch string) error { return ps.Subscribe(ctx, ch) }
	h.unsubscribe = func(ctx context.Context, ch string) error { return ps.Unsubscribe(ctx, ch) }
	s.hub.Store(h)
	return h
}

func newHub(s *Store, log *slog.Logger, safety time.Duration) *Hub {
	if safety <= 0 {
		safety = 30 * time.Second
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Hub{
		s: s, log: log, safety: safety,
		subs: map[string]map[*Subscription]struct{}{}, lines: map[string]*line{}, inflight: map[string]int{},
		done: make(chan struct{}), stopped: make(chan struct{}),
	}
}

// Subscribe returns a Subscription to conversation id, woken once at the start: when Redis
// confirms the channel's subscription, or at once when the channel was already subscribed.
// It sends SUBSCRIBE holding only this channel's line.
func (h *Hub) Subscribe(ctx context.Context, id string) (*Subscription, error) {
	ch := h.s.channel(id)
	c := make(chan struct{}, 1)
	sub := &Subscription{C: c, c: c, hub: h, id: id, channel: ch}
	l := h.take(ch)
	l.mu.Lock()
	defer l.mu.Unlock()
	h.mu.Lock()
	set, ok := h.subs[ch]
	if !ok {
		set = map[*Subscription]struct{}{}
		h.subs[ch] = set
	}
	set[sub] = struct{}{}
	h.mu.Unlock()
	if ok {
		sub.reread()
		return sub, nil
	}
	if err := h.subscribe(ctx, ch); err != nil {
		h.mu.Lock()
		delete(h.subs, ch) // the others who would join wait for the line
		h.mu.Unlock()
		h.release(ch, l)
		return nil, unavailable(err)
	}
	return sub, nil // the confirmation wakes it (run)
}

// take returns channel ch's line, held by one more user until release.
func (h *Hub) take(ch string) *line {
	h.mu.Lock()
	defer h.mu.Unlock()
	l := h.lines[ch]
	if l == nil {
		l = &line{}
		h.lines[ch] = l
	}
	l.users++
	return l
}

// release lets go of channel ch's line; the last user removes it.
func (h *Hub) release(ch string, l *line) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if l.users--; l.users == 0 {
		delete(h.lines, ch)
	}
}

// Broadcast sends a transient event (not stored, Seq 0, e.g. the bot's typing) to the live
// readers of conversation id on every instance, at most once.
func (h *Hub) Broadcast(ctx context.Context, id string, ev Event) error {
	ev.Seq = 0
	if ev.At.IsZero() {
		// Readers drop a transient event older than the last stored one they returned
		// (Subscription.fresh): an event without a time would never be read.
		ev.At = time.Now().UTC()
	}
	data, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	return h.s.st.Client.Publish(ctx, h.s.channel(id), data).Err()
}

func (h *Hub) remove(sub *Subscription) {
	h.mu.Lock()
	l := h.lines[sub.channel] // held by sub since Subscribe
	h.mu.Unlock()
	l.mu.Lock()
	h.mu.Lock()
	set := h.subs[sub.channel]
	delete(set, sub)
	last := len(set) == 0
	if last {
		delete(h.subs, sub.channel)
	}
	h.mu.Unlock()
	if last {
		if err := h.unsubscribe(context.Background(), sub.channel); err != nil {
			h.log.Debug("désabonnement", "err", err)
		}
	}
	l.mu.Unlock()
	h.release(sub.channel, l)
}

// Run wakes the readers until ctx ends or Close is called, then releases the pub/sub
// connection: readers are no longer woken and Subscribe fails. It runs once.
func (h *Hub) Run(ctx context.Context) error {
	if !h.started.CompareAndSwap(false, true) {
		return errors.New("conversation: Hub.Run déjà lancé")
	}
	defer close(h.stopped)
	defer h.stop()
	select {
	case <-h.done:
		return nil
	default:
	}
	msgs := h.ps.ChannelWithSubscriptions(redis.WithChannelSize(4096))
	tick := time.NewTicker(h.safety)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-h.done:
			return nil
		case m, ok := <-msgs:
			if !ok {
				return nil
			}
			switch m := m.(type) {
			case *redis.Message:
				h.received(m.Channel, m.Payload)
			case *redis.Subscription:
				if strings.EqualFold(m.Kind, "subscribe") {
					h.each(m.Channel, (*Subscription).reread)
				}
			}
		case <-tick.C:
			h.each("", (*Subscription).reread)
		}
	}
}

// Close stops the Hub and waits for Run to return; subscriptions stop being woken.
func (h *Hub) Close() error {
	h.s.hub.CompareAndSwap(h, nil)
	h.closeOnce.Do(func() { close(h.done) })
	err := h.stop()
	if h.started.Load() {
		<-h.stopped
	}
	return err
}

// stop closes the pub/sub connection, once.
func (h *Hub) stop() error {
	h.stopOnce.Do(func() {
		if h.ps != nil {
			h.stopErr = h.ps.Close()
		}
	})
	return h.stopErr
}

// received handles a notification: a sequence number appended, or a transient event.
func (h *Hub) received(ch, payload string) {
	if strings.HasPrefix(payload, "{") {
		var ev Event
		if err := json.Unmarshal([]byte(payload), &ev); err == nil {
			h.each(ch, func(sub *Subscription) { sub.ephemeral(ev) })
		}
		return
	}
	seq, err := strconv.ParseInt(payload, 10, 64)
	if err != nil {
		h.each(ch, (*Subscription).reread)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	wake := h.inflight[ch] == 0
	for sub := range h.subs[ch] {
		sub.notify(seq, wake)
	}
}

// begin counts an append of this process to channel ch as under way.
func (h *Hub) begin(ch string) {
	h.mu.Lock()
	h.inflight[ch]++
	h.mu.Unlock()
}

// end hands the events of an append that began to the readers of ch here, or wakes them when
// it stored none (it failed, or stored nothing): a notification may have arrived meanwhile.
func (h *Hub) end(ch string, events []Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.inflight[ch]--; h.inflight[ch] <= 0 {
		delete(h.inflight, ch)
	}
	for sub := range h.subs[ch] {
		if len(events) > 0 {
			sub.handOver(events)
		} else {
			sub.signal()
		}
	}
}

// each calls f on the subscriptions of channel ch, or on all of them when ch is "".
func (h *Hub) each(ch string, f func(*Subscription)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if ch != "" {
		for sub := range h.subs[ch] {
			f(sub)
		}
		return
	}
	for _, set := range h.subs {
		for sub := range set {
			f(sub)
		}
	}
}
