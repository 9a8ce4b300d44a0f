package conversation

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Hub wakes this process's readers of a conversation when any process appends to it.
//
// The data never travels through the Hub: Redis pub/sub is at-most-once, so a notification
// only says "read the stream again from where you are". A reader is woken when its
// subscription is confirmed (closing the window between its first read and the subscription),
// on every notification, after a pub/sub reconnection (go-redis resubscribes and Redis
// confirms again) and every SafetyInterval, so a lost notification delays an event at most
// that long and never loses it.
type Hub struct {
	s      *Store
	ps     *redis.PubSub
	log    *slog.Logger
	safety time.Duration

	change sync.Mutex // orders membership changes with their SUBSCRIBE/UNSUBSCRIBE commands
	mu     sync.Mutex
	subs   map[string]map[*Subscription]struct{} // channel → subscriptions
	done   chan struct{}
	wg     sync.WaitGroup
}

// Subscription is one reader's wake-up line: C receives a value whenever the conversation may
// have new events. It never blocks the Hub: wake-ups that arrive while one is pending merge.
type Subscription struct {
	C       <-chan struct{}
	c       chan struct{}
	hub     *Hub
	channel string
	once    sync.Once
}

// NewHub starts a Hub on s's Redis; safety ≤ 0 means 30 s. Close stops it.
func NewHub(s *Store, log *slog.Logger, safety time.Duration) *Hub {
	if safety <= 0 {
		safety = 30 * time.Second
	}
	h := &Hub{
		s: s, log: log, safety: safety,
		ps:   s.st.Client.Subscribe(context.Background()),
		subs: map[string]map[*Subscription]struct{}{},
		done: make(chan struct{}),
	}
	h.wg.Add(1)
	go h.run()
	return h
}

// Subscribe returns a Subscription to conversation id, woken once at the start.
func (h *Hub) Subscribe(ctx context.Context, id string) (*Subscription, error) {
	ch := h.s.channel(id)
	c := make(chan struct{}, 1)
	sub := &Subscription{C: c, c: c, hub: h, channel: ch}
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
	if !ok {
		if err := h.ps.Subscribe(ctx, ch); err != nil {
			h.mu.Lock()
			delete(h.subs, ch)
			h.mu.Unlock()
			return nil, unavailable(err)
		}
	}
	sub.wake()
	return sub, nil
}

// Close ends the subscription.
func (s *Subscription) Close() {
	s.once.Do(func() { s.hub.remove(s) })
}

func (s *Subscription) wake() {
	select {
	case s.c <- struct{}{}:
	default:
	}
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
				h.wakeChannel(m.Channel)
			case *redis.Subscription:
				if strings.EqualFold(m.Kind, "subscribe") {
					h.wakeChannel(m.Channel)
				}
			}
		case <-tick.C:
			h.wakeAll()
		}
	}
}

func (h *Hub) wakeChannel(ch string) {
	h.mu.Lock()
	for sub := range h.subs[ch] {
		sub.wake()
	}
	h.mu.Unlock()
}

func (h *Hub) wakeAll() {
	h.mu.Lock()
	for _, set := range h.subs {
		for sub := range set {
			sub.wake()
		}
	}
	h.mu.Unlock()
}
