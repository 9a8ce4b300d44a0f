package server

import (
	"context"
	"encoding/json"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/labstack/echo/v4"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/handoff"
	rmetrics "github.com/relais/relais/metrics"
	"github.com/relais/relais/relay"
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
	session := sessionToken(c)
	return s.accept(c, rmetrics.Agent, nil, s.cfg.SocketBuffer, func(ws *socket) {
		s.serveDesk(&agentSocket{socket: ws, id: randomID(), agent: a, session: session,
			follows: map[string]context.CancelFunc{}})
	})
}

// serveDesk runs a desk's socket: it joins the router, greets the desk, and runs its commands
// until the desk goes.
func (s *Server) serveDesk(sock *agentSocket) {
	ctx, a := sock.ctx, sock.agent
	s.agents.add(sock)
	defer s.agents.remove(sock)
	if _, err := s.agents.router.Connect(ctx, a.ID, sock.id); err != nil {
		sock.conn.Close(websocket.StatusTryAgainLater, "service indisponible, réessayez")
		return
	}
	defer func() {
		dctx, dcancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer dcancel()
		if _, err := s.agents.router.Disconnect(dctx, a.ID, sock.id); err != nil {
			s.log.Warn("départ du bureau", "agent", a.ID, "err", err)
		}
	}()
	written := make(chan struct{})
	go func() { sock.run(s.cfg.PingInterval, s.cfg.WriteTimeout, nil); close(written) }()
	s.greet(ctx, sock)
	for {
		_, data, err := sock.conn.Read(ctx)
		if err != nil {
			break
		}
		s.command(sock, data)
	}
	sock.cancel()
	<-written
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
	s.agents.queue.greet(ctx, sock)
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

// assignTo sends an assigned task with the end of its transcript (recentTranscript) and its
// desk records, then follows the conversation. Every assignment reaches the agent's desks
// through here (the notice of an accept or a pick, a transfer, a reconnection), so this is
// where the activity is filed; filing it again (another tab, a reconnection) returns the same
// one.
func (s *Server) assignTo(ctx context.Context, sock *agentSocket, t handoff.Task) {
	tr, after, err := s.recentTranscript(ctx, t.ConversationID)
	if err != nil {
		sock.send(errorEnvelope(err, ""))
		return
	}
	sock.send(envelope{Type: "assigned", Task: &t, Conversation: &tr, Desk: s.relay.Attach(ctx, t, sock.agent)})
	s.follow(sock, t.ConversationID, after, lastEntry(tr))
	s.relay.IndexTranscript(ctx, t.ConversationID)
}

// lastEntry is the stream entry of the transcript's last event ("" when it has none).
func lastEntry(tr transcript) string {
	if n := len(tr.Events); n > 0 {
		return tr.Events[n-1].ID
	}
	return ""
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

// The transcript a desk gets with a conversation (assigned, reset) is its end: the last
// recentEvents events, fewer when their JSON passes recentBytes (an agent's or a customer's
// message is at most 2,000 characters). Older events are paged back on demand: GET
// /desk/conversations/{id}/events?before=SEQ.
const (
	recentEvents = 100
	recentBytes  = 48 << 10 // the task and the desk records take the rest of 64 KB
)

// recentTranscript reads the end of conversation id and the sequence number of its last
// event, without reading what comes before.
func (s *Server) recentTranscript(ctx context.Context, id string) (transcript, int64, error) {
	events, err := s.conv.Before(ctx, id, 0, recentEvents)
	if err != nil {
		return transcript{}, 0, err
	}
	var last int64
	if n := len(events); n > 0 {
		last = events[n-1].Seq
	}
	return capped(id, events), last, nil
}

// capped is the transcript of the last of events: at most recentEvents, within recentBytes
// (the last event always), and whether older events exist.
func capped(id string, events []conversation.Event) transcript {
	start, size := len(events), 0
	for start > 0 && len(events)-start < recentEvents {
		b, _ := json.Marshal(events[start-1])
		if size+len(b)+1 > recentBytes && start < len(events) {
			break
		}
		size += len(b) + 1
		start--
	}
	return page(id, events[start:])
}

// page is a transcript of events, which end where the conversation's end or a later page
// starts: older says whether events come before them.
func page(id string, events []conversation.Event) transcript {
	tr := transcript{ID: id, Events: events}
	if tr.Events == nil {
		tr.Events = []conversation.Event{}
	}
	tr.Older = len(events) > 0 && events[0].Seq > 1
	return tr
}

// The tasks of the queue envelope (its first handoff.QueueShown) carry their customer's last
// message, cut short: the list shows why each customer waits; the preview of a task gives its
// whole transcript.
const (
	queueContextRunes = 200 // characters of it
	lastMessageScan   = 30  // events read back from a conversation's end to find it
)

func (s *Server) queueEnvelope(ctx context.Context) (queueMessage, error) {
	v, err := s.agents.router.Queue(ctx)
	if err != nil {
		return queueMessage{}, err
	}
	ids := make([]string, len(v.Entries))
	for i, e := range v.Entries {
		ids[i] = e.Task.ConversationID
	}
	ends, err := s.conv.Ends(ctx, ids, lastMessageScan)
	if err != nil {
		ends = make([][]conversation.Event, len(ids)) // the list goes without the messages
	}
	tasks := make([]queueTask, len(v.Entries))
	for i, e := range v.Entries {
		e.Task.AgentID, e.Task.Deadline = "", time.Time{} // whose offer it is, and until when, is the offer's
		tasks[i] = queueTask{QueueEntry: e, LastCustomerMessage: lastCustomerMessage(ends[i])}
	}
	return queueMessage{Type: "queue", Tasks: tasks, Length: v.Length}, nil
}

// lastCustomerMessage is the last message the customer wrote among events, cut to
// queueContextRunes characters; "" when there is none.
func lastCustomerMessage(events []conversation.Event) string {
	for i := len(events) - 1; i >= 0; i-- {
		if e := events[i]; e.Type == conversation.TypeMessage && e.From == conversation.FromCustomer {
			return cut(e.Text, queueContextRunes)
		}
	}
	return ""
}

// cut shortens s to n characters, the last one an ellipsis when it cut.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// command runs one command of the desk; a refusal comes back as an error envelope.
func (s *Server) command(sock *agentSocket, data []byte) {
	var cmd relay.Command
	if err := json.Unmarshal(data, &cmd); err != nil {
		sock.send(errorEnvelope(apperr.New(apperr.Invalid, "Message illisible : un objet JSON {\"type\": …} est attendu."), ""))
		return
	}
	if cmd.Type == "typing" && !sock.mayType() {
		return
	}
	ctx, cancel := context.WithTimeout(sock.ctx, 10*time.Second)
	defer cancel()
	err := s.checkCommand(&cmd)
	if err == nil {
		err = s.relay.Do(ctx, sock.agent, cmd)
	}
	if err != nil {
		if apperr.CodeOf(err) == apperr.Internal {
			s.log.Error("commande du bureau", "agent", sock.agent.ID, "type", cmd.Type, "err", err)
		}
		e := errorEnvelope(err, cmd.Type)
		e.TaskID, e.ConversationID = cmd.TaskID, cmd.ConversationID
		sock.send(e)
	}
}

// checkCommand enforces the limits on what a desk sends at the edge.
func (s *Server) checkCommand(cmd *relay.Command) error {
	if cmd.Type != "message" {
		return nil
	}
	text, err := s.checkText(cmd.Text)
	cmd.Text = text
	return err
}

// mayType says whether the agent's typing may reach the customer now: at most every
// typingEvery.
func (sock *agentSocket) mayType() bool {
	sock.mu.Lock()
	defer sock.mu.Unlock()
	if time.Since(sock.typedAt) < typingEvery {
		return false
	}
	sock.typedAt = time.Now()
	return true
}

// errorEnvelope is an error for the desk: its code and French message.
func errorEnvelope(err error, forType string) envelope {
	return envelope{Type: "error", Code: string(apperr.CodeOf(err)), Message: apperr.MessageOf(err), For: forType}
}
