package server

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"sync"
)

// queueFeed gives the desks of this process the queue and then what changes of it: the
// pusher (delivery.pushQueue) what changed since its last envelope, a desk opening (greet)
// the queue as last sent, so that every desk here holds what the next change is told against.
type queueFeed struct {
	read func(context.Context) (queueMessage, error) // the queue now (Server.queueEnvelope)

	mu   sync.Mutex
	last sentQueue
	fed  map[*agentSocket]bool // the sockets given the queue: those told its changes
}

// greet gives sock the queue: the last envelope's, or the queue read now when none was sent
// (the next change goes to it too).
func (f *queueFeed) greet(ctx context.Context, sock *agentSocket) {
	f.mu.Lock()
	defer f.mu.Unlock()
	data := f.last.whole
	if data == nil {
		q, err := f.read(ctx)
		if err != nil {
			return // the desk goes without it until the next change
		}
		if data, err = json.Marshal(q); err != nil {
			return
		}
	}
	if f.fed == nil {
		f.fed = map[*agentSocket]bool{}
	}
	f.fed[sock] = true
	sock.post(data)
}

// leave forgets a socket that closed.
func (f *queueFeed) leave(sock *agentSocket) {
	f.mu.Lock()
	delete(f.fed, sock)
	f.mu.Unlock()
}

// push reads the queue after a change and tells the desks given it what changed since the
// last envelope (nothing when nothing did). Without desks, or when the queue cannot be read,
// it forgets what was sent: the next envelope carries the whole queue.
func (f *queueFeed) push(ctx context.Context) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.fed) == 0 {
		f.last = sentQueue{}
		return
	}
	q, err := f.read(ctx)
	if err != nil {
		f.last = sentQueue{}
		return
	}
	data, next := f.last.next(q)
	if data == nil {
		return
	}
	for sock := range f.fed {
		sock.post(data)
	}
	f.last = next
}

// queueLength is the "queue" envelope of a change of length alone: the first entries are
// those last sent.
type queueLength struct {
	Type   string `json:"type"`
	Length int    `json:"length"`
}

// queueChange is the "queue" envelope of a change of the first entries: their IDs in order
// and their estimated waits, and the entries the desks do not have as they are now.
type queueChange struct {
	Type    string      `json:"type"`
	Order   []string    `json:"order"`
	Waits   []int       `json:"waits"`
	Changed []queueTask `json:"changed"`
	Length  int         `json:"length"`
}

// sentQueue is what the desks here were last sent.
type sentQueue struct {
	whole   []byte            // the envelope with every first entry (nil: nothing sent)
	order   []string          // their task IDs
	waits   []int             // their estimated waits, in seconds
	entries map[string][]byte // by task ID, each encoded without its position and wait
	length  int
}

// next returns the envelope that brings desks that hold last up to q (nil: none needed),
// and what they hold after it: nothing when q reads as last, the length alone when only it
// changed, otherwise the smaller of the change and the whole queue.
func (last sentQueue) next(q queueMessage) ([]byte, sentQueue) {
	now, err := sentOf(q)
	if err != nil {
		return nil, last
	}
	changed := []queueTask{}
	for i, e := range q.Tasks {
		if id := now.order[i]; !bytes.Equal(last.entries[id], now.entries[id]) {
			changed = append(changed, e)
		}
	}
	var data []byte
	switch {
	case last.whole == nil:
		return now.whole, now
	case len(changed) == 0 && slices.Equal(now.order, last.order) && slices.Equal(now.waits, last.waits):
		if q.Length == last.length {
			return nil, last
		}
		data, err = json.Marshal(queueLength{Type: "queue", Length: q.Length})
	default:
		data, err = json.Marshal(queueChange{Type: "queue", Order: now.order, Waits: now.waits, Changed: changed, Length: q.Length})
		if len(data) >= len(now.whole) {
			data = now.whole
		}
	}
	if err != nil {
		return nil, last
	}
	return data, now
}

// sentOf is what desks sent q hold.
func sentOf(q queueMessage) (sentQueue, error) {
	whole, err := json.Marshal(q)
	if err != nil {
		return sentQueue{}, err
	}
	s := sentQueue{whole: whole, length: q.Length, entries: make(map[string][]byte, len(q.Tasks))}
	for _, e := range q.Tasks {
		s.order = append(s.order, e.Task.ID)
		s.waits = append(s.waits, e.WaitSeconds)
		e.Position, e.WaitSeconds = 0, 0
		if s.entries[e.Task.ID], err = json.Marshal(e); err != nil {
			return sentQueue{}, err
		}
	}
	return s, nil
}
