package server

import (
	"context"
	"encoding/json"
	"time"

	"github.com/coder/websocket"
	"github.com/labstack/echo/v4"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/handoff"
)

// typingEvery bounds the typing events an agent's desk makes the customer receive.
const typingEvery = 2 * time.Second

// openAgentSocket is GET /api/v1/agent/ws: the desk's websocket, authorised by the session
// cookie and open to the server's own pages only (no cross-site origin).
func (s *Server) openAgentSocket(c echo.Context) error {
	a, err := s.sessionAgent(c)
	if err != nil {
		return err
	}
	release, err := s.takeSocket(c)
	if err != nil {
		return err
	}
	defer release()
	r := c.Request()
	conn, err := websocket.Accept(c.Response(), r, nil)
	if err != nil {
		s.logger(c).Info("websocket du bureau refusée", "err", err)
		return nil // Accept has answered
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	defer cancel()
	sock := &agentSocket{id: randomID(), agent: a, session: sessionToken(c), conn: conn,
		out: make(chan []byte, 4*s.cfg.SocketBuffer), ctx: ctx, cancel: cancel,
		follows: map[string]context.CancelFunc{}}
	if !s.agents.add(sock) {
		conn.Close(websocket.StatusGoingAway, "serveur en cours d'arrêt")
		return nil
	}
	defer s.agents.remove(sock)
	if _, err := s.agents.router.Connect(ctx, a.ID, sock.id); err != nil {
		conn.Close(websocket.StatusTryAgainLater, "service indisponible, réessayez")
		return nil
	}
	defer func() {
		dctx, dcancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer dcancel()
		if _, err := s.agents.router.Disconnect(dctx, a.ID, sock.id); err != nil {
			s.log.Warn("départ du bureau", "agent", a.ID, "err", err)
		}
	}()
	done := make(chan struct{})
	go func() { s.writeLoop(sock); close(done) }()
	go s.heartbeat(sock)
	s.greet(ctx, sock)
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			break
		}
		s.command(sock, data)
	}
	cancel()
	<-done
	conn.CloseNow()
	return nil
}

// greet sends what a desk needs on opening: the agent and their state, a pending offer,
// the queue, and their conversations in progress with the transcripts.
func (s *Server) greet(ctx context.Context, sock *agentSocket) {
	r := s.agents.router
	view := viewOf(sock.agent)
	st, err := r.AgentStatus(ctx, sock.agent.ID)
	if err != nil {
		sock.send(errorEnvelope(err, ""))
		return
	}
	sock.send(envelope{Type: "state", State: st.State, Label: st.State.Label(), Agent: &view})
	if st.OfferTask != "" {
		if t, err := r.Task(ctx, st.OfferTask); err == nil && t.State == handoff.TaskOffered && t.AgentID == sock.agent.ID {
			sock.send(envelope{Type: "offer", Task: &t, ExpiresAt: t.Deadline})
		}
	}
	if q, err := s.queueEnvelope(ctx); err == nil {
		sock.send(q)
	}
	tasks, err := r.AgentTasks(ctx, sock.agent.ID)
	if err != nil {
		sock.send(errorEnvelope(err, ""))
		return
	}
	for _, t := range tasks {
		if t.State == handoff.TaskAssigned {
			s.assignTo(ctx, sock, t)
		}
	}
}

// assignTo sends an assigned task with its whole transcript and its desk records, then
// follows the conversation. Every assignment reaches the agent's desks through here (the
// notice of an accept or a pick, a transfer, a reconnection), so this is where the activity
// is filed; filing it again (another tab, a reconnection) returns the same one.
func (s *Server) assignTo(ctx context.Context, sock *agentSocket, t handoff.Task) {
	tr, after, err := s.readTranscript(ctx, t.ConversationID)
	if err != nil {
		sock.send(errorEnvelope(err, ""))
		return
	}
	sock.send(envelope{Type: "assigned", Task: &t, Conversation: &tr, Desk: s.attachTask(ctx, t, sock.agent)})
	entry := ""
	if n := len(tr.Events); n > 0 {
		entry = tr.Events[n-1].ID
	}
	s.follow(sock, t.ConversationID, after, entry)
}

// readTranscript reads the whole of conversation id, page by page, and the sequence number
// of its last event.
func (s *Server) readTranscript(ctx context.Context, id string) (transcript, int64, error) {
	tr := transcript{ID: id, Events: []conversation.Event{}}
	var after int64
	for {
		events, err := s.conv.Events(ctx, id, after, maxPage)
		if err != nil {
			return transcript{}, 0, err
		}
		tr.Events = append(tr.Events, events...)
		if len(events) > 0 {
			after = events[len(events)-1].Seq
		}
		if len(events) < maxPage {
			return tr, after, nil
		}
	}
}

func (s *Server) queueEnvelope(ctx context.Context) (queueMessage, error) {
	v, err := s.agents.router.Queue(ctx)
	if err != nil {
		return queueMessage{}, err
	}
	if v.Entries == nil {
		v.Entries = []handoff.QueueEntry{}
	}
	return queueMessage{Type: "queue", Tasks: v.Entries, Length: v.Length}, nil
}

// agentCommand is what a desk sends.
type agentCommand struct {
	Type           string `json:"type"`
	State          string `json:"state"`
	TaskID         string `json:"task_id"`
	ConversationID string `json:"conversation_id"`
	Text           string `json:"text"`
	AgentID        string `json:"agent_id"` // transfer: the agent to hand over to; "" back to the queue
}

// command runs one command of the desk; a refusal comes back as an error envelope.
func (s *Server) command(sock *agentSocket, data []byte) {
	var cmd agentCommand
	if err := json.Unmarshal(data, &cmd); err != nil {
		sock.send(errorEnvelope(apperr.New(apperr.Invalid, "Message illisible : un objet JSON {\"type\": …} est attendu."), ""))
		return
	}
	ctx, cancel := context.WithTimeout(sock.ctx, 10*time.Second)
	defer cancel()
	r, id := s.agents.router, sock.agent.ID
	var err error
	switch cmd.Type {
	case "set_state":
		var st handoff.AgentState
		if st, err = handoff.ParseState(cmd.State); err == nil {
			_, err = r.SetState(ctx, id, st)
		}
	case "accept":
		_, _, err = r.Accept(ctx, id, cmd.TaskID) // the "assigned" envelope files the desk activity
	case "reject":
		_, err = r.Reject(ctx, id, cmd.TaskID)
	case "pick":
		_, _, err = r.Pick(ctx, id, cmd.TaskID) // the "assigned" envelope files the desk activity
	case "close":
		var notices []handoff.Notice
		notices, err = r.Close(ctx, id, cmd.ConversationID)
		s.endActivities(ctx, notices, id)
	case "transfer":
		var t handoff.Task
		if t, _, err = r.Transfer(ctx, id, cmd.ConversationID, cmd.AgentID); err == nil {
			s.transferActivity(ctx, t, id)
		}
	case "hand_back":
		var notices []handoff.Notice
		notices, err = r.HandBack(ctx, id, cmd.ConversationID)
		s.endActivities(ctx, notices, id)
	case "message":
		err = s.agentMessage(ctx, sock, cmd)
	case "typing":
		err = s.agentTyping(ctx, sock, cmd)
	default:
		err = apperr.Errorf(apperr.Invalid, "Commande inconnue : « %s ».", cmd.Type)
	}
	if err != nil {
		if apperr.CodeOf(err) == apperr.Internal {
			s.log.Error("commande du bureau", "agent", id, "type", cmd.Type, "err", err)
		}
		e := errorEnvelope(err, cmd.Type)
		e.TaskID, e.ConversationID = cmd.TaskID, cmd.ConversationID
		sock.send(e)
	}
}

var errNotYours = apperr.New(apperr.Forbidden, "Cette conversation ne vous est pas attribuée.")

// ownTask checks that the conversation is assigned to the socket's agent.
func (s *Server) ownTask(ctx context.Context, sock *agentSocket, convID string) (handoff.Task, error) {
	if !conversation.ValidID(convID) {
		return handoff.Task{}, apperr.New(apperr.NotFound, "Conversation introuvable.")
	}
	t, err := s.agents.router.TaskOf(ctx, convID)
	if err != nil {
		return t, err
	}
	if t.State != handoff.TaskAssigned || t.AgentID != sock.agent.ID {
		return t, errNotYours
	}
	return t, nil
}

// agentMessage appends the agent's message to their conversation.
func (s *Server) agentMessage(ctx context.Context, sock *agentSocket, cmd agentCommand) error {
	text, err := s.checkText(cmd.Text)
	if err != nil {
		return err
	}
	t, err := s.ownTask(ctx, sock, cmd.ConversationID)
	if err != nil {
		return err
	}
	ev := conversation.Message(conversation.FromAgent, text, nil)
	ev.Agent = sock.agent.Name
	return s.appendAsAgent(ctx, t, ev)
}

// agentTyping tells the customer the agent is writing, at most every typingEvery.
func (s *Server) agentTyping(ctx context.Context, sock *agentSocket, cmd agentCommand) error {
	sock.mu.Lock()
	recent := time.Since(sock.typedAt) < typingEvery
	if !recent {
		sock.typedAt = time.Now()
	}
	sock.mu.Unlock()
	if recent {
		return nil
	}
	t, err := s.ownTask(ctx, sock, cmd.ConversationID)
	if err != nil {
		return err
	}
	return s.appendAsAgent(ctx, t, conversation.Event{Type: conversation.TypeTyping, From: conversation.FromAgent, Agent: sock.agent.Name})
}

// appendAsAgent appends while the agent owns the conversation. Right after an assignment the
// consumer group may not have given it to them yet: then this does it (the same guarded
// change, applied once) and tries again.
func (s *Server) appendAsAgent(ctx context.Context, t handoff.Task, ev conversation.Event) error {
	opts := conversation.AppendOptions{IfOwner: conversation.OwnerAgent}
	_, err := s.conv.Append(ctx, t.ConversationID, []conversation.Event{ev}, opts)
	if err == conversation.ErrOwnerChanged {
		if err := s.joinConversation(ctx, t); err != nil {
			return err
		}
		_, err = s.conv.Append(ctx, t.ConversationID, []conversation.Event{ev}, opts)
	}
	return s.endedFull(ctx, t.ConversationID, err)
}

// errorEnvelope is an error for the desk: its code and French message.
func errorEnvelope(err error, forType string) envelope {
	return envelope{Type: "error", Code: string(apperr.CodeOf(err)), Message: apperr.MessageOf(err), For: forType}
}

func apperrUnauthorized(err error) bool { return apperr.CodeOf(err) == apperr.Unauthorized }
