package conversation

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"sync"
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
type Hub struct {
	s      *Store
	ps     *redis.PubSub
	log    *slog.Logger
	safety time.Duration

	change sync.Mutex // orders membership changes with their SUBSCRIBE/UNSUBSCRIBE commands
	mu     sync.Mutex
	subs   map[string]map[*Subscription]struct{} // channel → subscriptions
	// inflight counts, by channel, the appends of this process under way (Store.appending):
	// their notification through Redis does not wake the readers here, the events are about
	// to be handed to them.
	inflight map[string]int
	done     chan struct{}
	wg       sync.WaitGroup
}

// NewHub starts a Hub on s's Redis and makes s hand it the events s appends; safety ≤ 0 means
// 30 s. Close stops it.
func NewHub(s *Store, log *slog.Logger, safety time.Duration) *Hub {
	if safety <= 0 {
		safety = 30 * time.Second
	}
	h := &Hub{
		s: s, log: log, safety: safety,
		ps:   s.st.Client.Subscribe(context.Background()),
		subs: map[string]map[*Subscription]struct{}{}, inflight: map[string]int{},
		done: make(chan struct{}),
	}
	s.hub.Store(h)
	h.wg.Add(1)
	go h.run()
	return h
}

// Subscribe returns a Subscription to conversation id, woken once at the start: when Redis
// confirms the channel's subscription, or at once when the channel was already subscribed.
func (h *Hub) Subscribe(ctx context.Context, id string) (*Subscription, error) {
	ch := h.s.channel(id)
	c := make(chan struct{}, 1)
	sub := &Subscription{C: c, c: c, hub: h, id: id, channel: ch}
	h.change.Lock()
	defer h.change.Unlock()
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
	if err := h.ps.Subscribe(ctx, ch); err != nil {
		h.mu.Lock()
		delete(h.subs, ch)
		h.mu.Unlock()
		return nil, unavailable(err)
	}
	return sub, nil // the confirmation wakes it (run)
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
	h.change.Lock()
	defer h.change.Unlock()
	h.mu.Lock()
	set := h.subs[sub.channel]
	delete(set, sub)
	last := len(set) == 0
	if last {
		delete(h.subs, sub.channel)
	}
	h.mu.Unlock()
	if last {
		if err := h.ps.Unsubscribe(context.Background(), sub.channel); err != nil {
			h.log.Debug("désabonnement", "err", err)
		}
	}
}

// Close stops the Hub; subscriptions stop being woken.
func (h *Hub) Close() error {
	h.s.hub.CompareAndSwap(h, nil)
	close(h.done)
	err := h.ps.Close()
	h.wg.Wait()
	return err
}

func (h *Hub) run() {
	defer h.wg.Done()
	msgs := h.ps.ChannelWithSubscriptions(redis.WithChannelSize(4096))
	tick := time.NewTicker(h.safety)
	defer tick.Stop()
	for {
		select {
		case <-h.done:
			return
		case m, ok := <-msgs:
			if !ok {
				return
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
