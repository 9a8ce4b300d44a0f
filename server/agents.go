package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"sync"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff"
)

// errNoAgents answers the agent endpoints of a server started without a Router.
var errNoAgents = apperr.New(apperr.Unavailable, "L'espace des conseillers n'est pas activé sur ce serveur.")

// agents is the agent side of one server instance: the router, the accounts, the agent
// websockets this instance holds (by agent; Server.sockets closes them at shutdown).
type agents struct {
	router   *handoff.Router
	accounts *handoff.Accounts

	queue queueFeed // what the desks here hold of the queue

	mu      sync.Mutex
	byAgent map[string]map[*agentSocket]struct{}
}

func newAgents(r *handoff.Router, a *handoff.Accounts) *agents {
	return &agents{router: r, accounts: a,
		byAgent: map[string]map[*agentSocket]struct{}{}}
}

// runBackground starts the Hub (the readers' wake-ups), the relay's background work (sweeper,
// notice consumer), this instance's notice reader and the heartbeat of its desk sockets until
// ctx ends; wait waits for them.
func (s *Server) runBackground(ctx context.Context) (wait func(), err error) {
	var bg sync.WaitGroup
	bg.Go(func() {
		if err := s.hub.Run(ctx); err != nil {
			s.log.Error("abonnements aux conversations", "err", err)
		}
	})
	bg.Go(func() {
		if err := s.relay.Run(ctx); err != nil {
			s.log.Error("travail de fond du relais", "err", err)
		}
	})
	if s.agents != nil {
		cur, err := s.agents.router.NoticeCursor(ctx)
		if err != nil {
			return bg.Wait, err
		}
		// The reader blocks in Redis, which does not see ctx end: it stops within noticeBlock.
		bg.Go(func() { s.readNotices(ctx, cur) })
		bg.Go(func() { s.heartbeats(ctx) })
	}
	return bg.Wait, nil
}

func (ag *agents) add(sock *agentSocket) {
	ag.mu.Lock()
	defer ag.mu.Unlock()
	set := ag.byAgent[sock.agent.ID]
	if set == nil {
		set = map[*agentSocket]struct{}{}
		ag.byAgent[sock.agent.ID] = set
	}
	set[sock] = struct{}{}
}

func (ag *agents) remove(sock *agentSocket) {
	ag.queue.leave(sock)
	ag.mu.Lock()
	set := ag.byAgent[sock.agent.ID]
	delete(set, sock)
	if len(set) == 0 {
		delete(ag.byAgent, sock.agent.ID)
	}
	ag.mu.Unlock()
}

// of returns the sockets this instance holds for agent.
func (ag *agents) of(agentID string) []*agentSocket {
	ag.mu.Lock()
	defer ag.mu.Unlock()
	out := make([]*agentSocket, 0, len(ag.byAgent[agentID]))
	for sock := range ag.byAgent[agentID] {
		out = append(out, sock)
	}
	return out
}

// all returns every agent socket of this instance.
func (ag *agents) all() []*agentSocket {
	ag.mu.Lock()
	defer ag.mu.Unlock()
	var out []*agentSocket
	for _, set := range ag.byAgent {
		for sock := range set {
			out = append(out, sock)
		}
	}
	return out
}

func randomID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
