package server

import (
	"context"
	"sync"
	"time"

	"github.com/relais/relais/handoff"
)

// noticeBlock is how long one read of the notices waits for a new one: short, because a
// blocked read does not end with its context, and Close waits for the readers.
const noticeBlock = 250 * time.Millisecond

// maxLanes bounds the conversations whose notice work runs at once in this process.
const maxLanes = 16

// readNotices follows every notice from cur and pushes what concerns them to the agent
// sockets of this instance. Every instance reads every notice. The reader itself delivers
// only what is quick (an offer, its end, a state), so that an offer never waits behind an
// assignment, whose delivery (the join, the transcript, the desk records) runs in the
// conversation's lane; the queue goes out from a pusher of its own.
func (s *Server) readNotices(ctx context.Context, cur string) {
	d := &delivery{s: s, lanes: newLanes(maxLanes), queue: handoff.NewChanges()}
	var pusher sync.WaitGroup
	pusher.Go(func() { d.pushQueue(ctx) })
	defer func() {
		pusher.Wait()
		d.lanes.wait()
	}()
	s.agents.router.Follow(ctx, cur, noticeBlock,
		func(err error) { s.log.Warn("lecture des notifications de routage", "err", err) },
		func(notices []handoff.Notice) { d.deliver(ctx, notices) })
}

// delivery is the state of one notice reader.
type delivery struct {
	s     *Server
	lanes *lanes
	queue *handoff.Changes // the queue changed: for the pusher
}

// deliver turns notices into websocket messages for the agents connected here. What
// changes a conversation's hands (assigned, transferred, released) goes through its lane,
// in the notices' order.
func (d *delivery) deliver(ctx context.Context, notices []handoff.Notice) {
	s := d.s
	last := lastOfTasks(notices)
	for i, n := range notices {
		switch n.Kind {
		case handoff.NoticeOffered:
			if last[n.TaskID] == i { // else a later notice of the batch ends the offer
				s.deliverOffer(n)
			}
		case handoff.NoticeOfferExpired, handoff.NoticeOfferRejected, handoff.NoticeOfferWithdrawn:
			s.sendTo(n.AgentID, envelope{Type: "offer_expired", TaskID: n.TaskID, ConversationID: n.ConversationID, Reason: string(n.Kind)})
		case handoff.NoticeAssigned:
			d.lanes.run(n.ConversationID, func() { s.deliverAssigned(ctx, n.TaskID, n.AgentID) })
		case handoff.NoticeTransferred:
			d.lanes.run(n.ConversationID, func() {
				s.release(n)
				if n.To != "" {
					s.deliverAssigned(ctx, n.TaskID, n.To)
				}
			})
		case handoff.NoticeClosed, handoff.NoticeHandedBack, handoff.NoticeCancelled, handoff.NoticeErased, handoff.NoticeRequeued:
			d.lanes.run(n.ConversationID, func() { s.release(n) })
		case handoff.NoticeState:
			s.sendTo(n.AgentID, envelope{Type: "state", State: n.State, Label: n.State.Label()})
		case handoff.NoticeQueue:
			d.queue.Changed()
		case handoff.NoticeMessages:
			for _, sock := range s.agents.all() {
				sock.send(envelope{Type: "messages"})
			}
		}
	}
}

// queuePushEvery is the shortest time between two queue envelopes of one process: a queue
// that changes faster reaches the desks at most about once a second, its latest state.
const queuePushEvery = time.Second

// pushQueue tells the desks here what changed in the queue (queueFeed.push), at most once per
// queuePushEvery, a burst of changes together (handoff.Changes).
func (d *delivery) pushQueue(ctx context.Context) {
	d.queue.Run(ctx, queuePushEvery, d.s.agents.queue.push)
}

func (s *Server) sendTo(agentID string, e envelope) {
	for _, sock := range s.agents.of(agentID) {
		sock.send(e)
	}
}

// lastOfTasks gives, by task, the index of its last notice among notices.
func lastOfTasks(notices []handoff.Notice) map[string]int {
	last := make(map[string]int, len(notices))
	for i, n := range notices {
		if n.TaskID != "" {
			last[n.TaskID] = i
		}
	}
	return last
}

// deliverOffer sends an offer to its agent's sockets here, with the task as the notice
// carries it, unless its deadline has passed (a reader that fell behind).
func (s *Server) deliverOffer(n handoff.Notice) {
	t := n.Task
	if t == nil || t.State != handoff.TaskOffered || t.AgentID != n.AgentID || !time.Now().Before(t.Deadline) {
		return
	}
	for _, sock := range s.agents.of(n.AgentID) {
		sock.send(envelope{Type: "offer", Task: t, ExpiresAt: t.Deadline})
	}
}

// deliverAssigned gives a task still assigned to agent to their sockets here, with the
// transcript, after making sure the customer was told the agent joined.
func (s *Server) deliverAssigned(ctx context.Context, taskID, agentID string) {
	socks := s.agents.of(agentID)
	if len(socks) == 0 {
		return
	}
	t, err := s.agents.router.Task(ctx, taskID)
	if err != nil || t.State != handoff.TaskAssigned || t.AgentID != agentID {
		return
	}
	if err := s.relay.Join(ctx, t); err != nil {
		s.log.Warn("arrivée du conseiller", "conversation", t.ConversationID, "err", err)
	}
	for _, sock := range socks {
		s.assignTo(ctx, sock, t)
	}
}

// release tells the agent's sockets here that a conversation is no longer theirs.
func (s *Server) release(n handoff.Notice) {
	for _, sock := range s.agents.of(n.AgentID) {
		sock.unfollow(n.ConversationID)
		sock.send(envelope{Type: "released", TaskID: n.TaskID, ConversationID: n.ConversationID, Reason: string(n.Kind)})
	}
}

// lanes runs work per key (a conversation) off the notice reader: in order within a key,
// keys in parallel, at most size of them at once. run never waits.
type lanes struct {
	slots chan struct{}
	mu    sync.Mutex
	jobs  map[string][]func() // a key present has its goroutine, which drains its jobs
	wg    sync.WaitGroup
}

func newLanes(size int) *lanes {
	return &lanes{slots: make(chan struct{}, size), jobs: map[string][]func(){}}
}

// run queues job behind key's earlier jobs.
func (l *lanes) run(key string, job func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if q, busy := l.jobs[key]; busy {
		l.jobs[key] = append(q, job)
		return
	}
	l.jobs[key] = []func(){job}
	l.wg.Go(func() { l.drain(key) })
}

// drain runs key's jobs in a slot until none is left.
func (l *lanes) drain(key string) {
	l.slots <- struct{}{}
	defer func() { <-l.slots }()
	for {
		l.mu.Lock()
		q := l.jobs[key]
		if len(q) == 0 {
			delete(l.jobs, key)
			l.mu.Unlock()
			return
		}
		l.jobs[key] = q[1:]
		l.mu.Unlock()
		q[0]()
	}
}

// wait waits until every job queued has run.
func (l *lanes) wait() { l.wg.Wait() }
