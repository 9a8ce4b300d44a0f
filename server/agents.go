package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff"
)

// errNoAgents answers the agent endpoints of a server started without a Router.
var errNoAgents = apperr.New(apperr.Unavailable, "L'espace des conseillers n'est pas activé sur ce serveur.")

// agents is the agent side of one server instance: the router, the accounts, the agent
// websockets this instance holds (by agent), and the background readers of the notices.
type agents struct {
	router   *handoff.Router
	accounts *handoff.Accounts
	consumer string // this instance's name in the notices consumer group

	mu      sync.Mutex
	byAgent map[string]map[*agentSocket]struct{}
	closing bool
	wg      sync.WaitGroup // socket handlers

	cancel context.CancelFunc
	bg     sync.WaitGroup // the sweeper and the notice readers
}

func newAgents(r *handoff.Router, a *handoff.Accounts) *agents {
	return &agents{router: r, accounts: a, consumer: "relais-" + randomID(),
		byAgent: map[string]map[*agentSocket]struct{}{}}
}

// startAgents starts this instance's sweeper, its notice reader (websockets of this
// instance) and its member of the consumer group (conversation changes, once for all).
func (s *Server) startAgents() error {
	ctx, cancel := context.WithCancel(context.Background())
	ag := s.agents
	ag.cancel = cancel
	cur, err := ag.router.NoticeCursor(ctx)
	if err == nil {
		err = s.createNoticeGroup(ctx)
	}
	if err != nil {
		cancel()
		return err
	}
	ag.bg.Go(func() {
		ag.router.RunSweeper(ctx, s.cfg.SweepInterval, nil, func(err error) {
			s.log.Warn("balayage des échéances", "err", err)
		})
	})
	// The readers block in Redis, which does not see ctx end: they stop within noticeBlock.
	ag.bg.Go(func() { s.readNotices(ctx, cur) })
	ag.bg.Go(func() { s.consumeNotices(ctx) })
	return nil
}

// stop ends the background work and waits for it.
func (ag *agents) stop() {
	ag.cancel()
	ag.bg.Wait()
}

func (ag *agents) add(sock *agentSocket) bool {
	ag.mu.Lock()
	defer ag.mu.Unlock()
	if ag.closing {
		return false
	}
	set := ag.byAgent[sock.agent.ID]
	if set == nil {
		set = map[*agentSocket]struct{}{}
		ag.byAgent[sock.agent.ID] = set
	}
	set[sock] = struct{}{}
	ag.wg.Add(1)
	return true
}

func (ag *agents) remove(sock *agentSocket) {
	ag.mu.Lock()
	set := ag.byAgent[sock.agent.ID]
	delete(set, sock)
	if len(set) == 0 {
		delete(ag.byAgent, sock.agent.ID)
	}
	ag.mu.Unlock()
	ag.wg.Done()
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

// closeAll closes every agent socket with "going away" and waits for their handlers.
func (ag *agents) closeAll(ctx context.Context) {
	ag.mu.Lock()
	ag.closing = true
	ag.mu.Unlock()
	all := ag.all()
	for _, sock := range all {
		go sock.conn.Close(websocket.StatusGoingAway, "redémarrage du serveur : reconnectez-vous")
	}
	done := make(chan struct{})
	go func() { ag.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		for _, sock := range all {
			sock.conn.CloseNow()
		}
	}
}

// pause waits d or until ctx ends, after an error of Redis.
func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func randomID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
