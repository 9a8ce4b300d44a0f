package server

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/handoff/desk"
)

// statusLoggedOut closes the sockets of a session that ended (logout or expiry).
const statusLoggedOut websocket.StatusCode = 4001

// envelope is one message the server sends on an agent websocket; fields that do not apply
// to a type are left out.
type envelope struct {
	Type           string              `json:"type"`
	State          handoff.AgentState  `json:"state,omitempty"`
	Label          string              `json:"label,omitempty"` // state: Prêt, Non prêt, Hors ligne
	Agent          *agentView          `json:"agent,omitempty"`
	Task           *handoff.Task       `json:"task,omitempty"`
	ExpiresAt      time.Time           `json:"expires_at,omitzero"` // offer
	TaskID         string              `json:"task_id,omitempty"`
	ConversationID string              `json:"conversation_id,omitempty"`
	Reason         string              `json:"reason,omitempty"` // offer_expired, released: the notice kind
	Conversation   *transcript         `json:"conversation,omitempty"`
	Desk           *desk.Interaction   `json:"desk,omitempty"` // assigned: request, activity, customer
	Event          *conversation.Event `json:"event,omitempty"`
	Code           string              `json:"code,omitempty"`    // error
	Message        string              `json:"message,omitempty"` // error, in French
	For            string              `json:"for,omitempty"`     // error: the type of the command refused
}

// transcript is a conversation's events, the bot's part included: all of them, or its end
// and then older says that events came before (a desk pages back to them).
type transcript struct {
	ID     string               `json:"id"`
	Events []conversation.Event `json:"events"`
	Older  bool                 `json:"older,omitempty"`
}

// queueMessage is the "queue" envelope: the waiting tasks, with positions and estimates.
type queueMessage struct {
	Type   string      `json:"type"`
	Tasks  []queueTask `json:"tasks"`
	Length int         `json:"length"`
}

// queueTask is a task of the queue envelope: its entry and its customer's last message
// (queueEnvelope).
type queueTask struct {
	handoff.QueueEntry
	LastCustomerMessage string `json:"last_customer_message,omitempty"`
}

// agentSocket is one open desk websocket: a socket, the agent and session it belongs to, and
// the conversations it follows.
type agentSocket struct {
	*socket
	id      string // the socket's name in the router (handoff.Router.Connect)
	agent   handoff.Agent
	session string

	mu      sync.Mutex
	follows map[string]context.CancelFunc // conversation → its forwarder
	typedAt time.Time                     // last typing event sent to the customer
}

// send queues v for the writer without blocking (socket.post).
func (sock *agentSocket) send(v any) {
	data, err := json.Marshal(v)
	if err != nil {
		return
	}
	sock.post(data)
}

// follow starts forwarding conversation id's events after seq (stream entry entry), unless
// already done.
func (s *Server) follow(sock *agentSocket, id string, after int64, entry string) {
	sock.mu.Lock()
	defer sock.mu.Unlock()
	if _, ok := sock.follows[id]; ok || sock.ctx.Err() != nil {
		return
	}
	ctx, cancel := context.WithCancel(sock.ctx)
	sock.follows[id] = cancel
	go s.forward(ctx, sock, id, after, entry)
}

// unfollow stops forwarding conversation id.
func (sock *agentSocket) unfollow(id string) {
	sock.mu.Lock()
	defer sock.mu.Unlock()
	if cancel, ok := sock.follows[id]; ok {
		cancel()
		delete(sock.follows, id)
	}
}

// forward sends the conversation's new events to the agent as "event" envelopes, from
// whichever instance appends them, in order, and the customer's typing; the agent's own
// typing is left out. When the store no longer holds the last event sent (a Redis failover
// lost it, see conversation.ErrRolledBack), the desk gets a "reset" envelope with the end of
// the transcript as it now is (recentTranscript), to show instead of what it holds.
func (s *Server) forward(ctx context.Context, sock *agentSocket, id string, after int64, entry string) {
	sub, err := s.hub.Subscribe(ctx, id)
	if err != nil {
		sock.end(websocket.StatusTryAgainLater, "service indisponible, réessayez")
		return
	}
	defer sub.Close()
	r := reader{conv: s.conv, id: id, sub: sub, pos: cursor{seq: after, entry: entry}}
	for {
		select {
		case <-ctx.Done():
			return
		case <-sub.C:
		}
		events, err := r.read(ctx)
		switch {
		case apperr.CodeOf(err) == apperr.NotFound:
			continue // gone: the router tells the desk
		case errors.Is(err, conversation.ErrRolledBack):
			tr, last, err := s.recentTranscript(ctx, id)
			if err != nil {
				continue
			}
			s.log.Warn("conversation en retard sur le bureau : recharge", "conversation", id, "seq", r.pos.seq)
			s.metrics.socketsReset.Add(1)
			r.pos = cursor{seq: last, entry: lastEntry(tr)}
			sock.send(envelope{Type: "reset", ConversationID: id, Conversation: &tr})
			continue
		case err != nil:
			if ctx.Err() == nil {
				sock.end(websocket.StatusTryAgainLater, "service indisponible, réessayez")
			}
			return
		}
		for _, ev := range events {
			if ev.Seq == 0 { // transient: the bot's typing is for the customer only
				if ev.Type == conversation.TypeTyping && ev.From == conversation.FromCustomer {
					sock.send(envelope{Type: "event", ConversationID: id, Event: &ev})
				}
				continue
			}
			r.pos = cursor{seq: ev.Seq, entry: ev.ID}
			if ev.Type == conversation.TypeTyping && ev.From == conversation.FromAgent {
				continue
			}
			sock.send(envelope{Type: "event", ConversationID: id, Event: &ev})
		}
	}
}

// heartbeats is the heartbeat of the desk sockets this process holds, every AgentHeartbeat:
// their leases in the router renewed in one step and their sessions checked in one round
// trip, whatever their number (beat).
func (s *Server) heartbeats(ctx context.Context) {
	t := time.NewTicker(s.cfg.AgentHeartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.beat(ctx, s.agents.all()); err != nil && ctx.Err() == nil {
			s.log.Warn("bail des bureaux", "err", err)
		}
	}
}

// beat renews socks' leases and checks their sessions: a socket whose session ended (a logout
// on another instance, an expiry) or whose agent is gone is closed; one whose lease a sweep
// dropped (this process stalled past it) connects again.
func (s *Server) beat(ctx context.Context, socks []*agentSocket) error {
	if len(socks) == 0 {
		return nil
	}
	tokens, ids := make([]string, len(socks)), make([]string, len(socks))
	refs := make([]handoff.DeskSocket, len(socks))
	for i, sock := range socks {
		tokens[i], ids[i] = sock.session, sock.agent.ID
		refs[i] = handoff.DeskSocket{AgentID: sock.agent.ID, SocketID: sock.id}
	}
	held, err := s.agents.accounts.SessionsHeld(ctx, tokens, ids)
	if err != nil {
		return err
	}
	lost, err := s.agents.router.Renew(ctx, refs)
	if err != nil {
		return err
	}
	dropped := map[handoff.DeskSocket]bool{}
	for _, ref := range lost {
		dropped[ref] = true
	}
	for i, sock := range socks {
		switch {
		case !held[i]:
			sock.end(statusLoggedOut, "session terminée : reconnectez-vous")
		case dropped[refs[i]]:
			if _, err := s.agents.router.Connect(ctx, sock.agent.ID, sock.id); apperr.CodeOf(err) == apperr.NotFound {
				sock.end(statusLoggedOut, "compte supprimé : reconnectez-vous")
			}
		}
	}
	return nil
}
