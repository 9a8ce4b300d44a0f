package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// DefaultHandoffText is what a customer who wants a human says.
const DefaultHandoffText = "je veux parler à un conseiller"

// agentCookie is the desk session's cookie (server/agent_http.go).
const agentCookie = "relais_agent"

// joinTimeout bounds a customer's wait for an agent to join or answer.
const joinTimeout = 30 * time.Second

// handoffs is what customers and agents share during a run: the conversations handed over
// in this run and when each message was sent, to measure latencies across the two sides.
type handoffs struct {
	registry sync.Map // conversation id → time the customer asked for a human
	sent     sync.Map // conversation id + "\x00" + text → time sent (by customer or agent)

	mu                    sync.Mutex
	offer, toAgent, toCus []time.Duration
}

func (h *handoffs) record(dst *[]time.Duration, d time.Duration) {
	h.mu.Lock()
	*dst = append(*dst, d)
	h.mu.Unlock()
}

func sentKey(conv, text string) string { return conv + "\x00" + text }

// sentSince returns how long ago (conv, text) was sent, once.
func (h *handoffs) sentSince(conv, text string) (time.Duration, bool) {
	v, ok := h.sent.LoadAndDelete(sentKey(conv, text))
	if !ok {
		return 0, false
	}
	return time.Since(v.(time.Time)), true
}

// handoffTurn decides whether the k-th conversation opened asks for a human, spreading the
// share evenly.
func (r *run) handoffTurn() bool {
	f := r.cfg.HandoffShare
	if f <= 0 {
		return false
	}
	k := float64(r.opened.Add(1) - 1)
	return int64((k+1)*f) > int64(k*f)
}

// wsEvent is a customer websocket event as the widget reads it.
type wsEvent struct {
	Type string `json:"type"`
	From string `json:"from"`
	Text string `json:"text"`
}

// handoffConversation is one customer who asks for a human and exchanges
// cfg.HandoffMessages messages with the agent who joins. Its requests go to srv's URLs in
// turn; its websocket to the URL that opened the conversation.
func (r *run) handoffConversation(ctx context.Context, srv *servers, n int) {
	to := srv.pick()
	c := conversation{url: to.url}
	if err := r.post(ctx, to, "/api/v1/conversations", "", "", nil, http.StatusCreated, &c); err != nil {
		if ctx.Err() == nil {
			r.fail(err.Error())
			time.Sleep(10 * time.Millisecond)
		}
		return
	}
	r.conversations.Add(1)
	ws, err := r.dialConversation(ctx, &c)
	if err != nil {
		if ctx.Err() == nil {
			r.fail("websocket")
		}
		return
	}
	defer ws.closeNow()
	left := false
	leave := func() {
		if left {
			return
		}
		left = true
		lctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r.post(lctx, srv.pick(), "/api/v1/conversations/"+c.ID+"/leave", c.Token, "", nil, http.StatusNoContent, nil)
	}
	defer leave()
	events := make(chan wsEvent, 64)
	go func() {
		defer close(events)
		for {
			data, err := ws.read()
			if err != nil {
				return
			}
			r.wsEvents.Add(1)
			var ev wsEvent
			if json.Unmarshal(data, &ev) != nil {
				continue
			}
			if ev.Type == "message" && ev.From == "agent" {
				if d, ok := r.h.sentSince(c.ID, ev.Text); ok {
					r.h.record(&r.h.toCus, d)
				}
			}
			events <- ev
		}
	}()
	// await reads events until one satisfies ok; false on close, timeout or the run's end.
	await := func(ok func(wsEvent) bool) (wsEvent, bool) {
		timer := time.NewTimer(joinTimeout)
		defer timer.Stop()
		for {
			select {
			case <-ctx.Done():
				return wsEvent{}, false
			case <-timer.C:
				return wsEvent{}, false
			case ev, open := <-events:
				if !open {
					return wsEvent{}, false
				}
				if ok(ev) {
					return ev, true
				}
			}
		}
	}

	r.h.registry.Store(c.ID, time.Now())
	defer r.h.registry.Delete(c.ID)
	var a answer
	if err := r.post(ctx, srv.pick(), "/api/v1/conversations/"+c.ID+"/messages", c.Token, fmt.Sprintf("h%d-0", n), messageBody(r.cfg.HandoffText), http.StatusOK, &a); err != nil {
		if ctx.Err() == nil {
			r.fail(err.Error())
		}
		return
	}
	r.messages.Add(1)
	if a.goesOn() {
		r.fail("pas de transfert")
		return
	}
	ev, ok := await(func(ev wsEvent) bool {
		return ev.Type == "agent_joined" || ev.Type == "closed" || ev.From == "system" && strings.Contains(ev.Text, "Aucun conseiller")
	})
	if !ok || ev.Type != "agent_joined" {
		if ctx.Err() == nil {
			r.fail("sans conseiller")
		}
		return
	}
	r.handoffs.Add(1)
	for i := range r.cfg.HandoffMessages {
		text := fmt.Sprintf("question %d du client %d", i+1, n)
		r.h.sent.Store(sentKey(c.ID, text), time.Now())
		var a answer
		err := r.post(ctx, srv.pick(), "/api/v1/conversations/"+c.ID+"/messages", c.Token, fmt.Sprintf("h%d-%d", n, i+1), messageBody(text), http.StatusOK, &a)
		if err != nil {
			r.h.sent.Delete(sentKey(c.ID, text))
			if ctx.Err() == nil {
				r.fail(err.Error())
			}
			return
		}
		r.messages.Add(1)
		ev, ok := await(func(ev wsEvent) bool { return ev.Type == "closed" || ev.Type == "message" && ev.From == "agent" })
		if !ok {
			if ctx.Err() == nil {
				r.fail("pas de réponse du conseiller")
			}
			return
		}
		if ev.Type == "closed" {
			left = true
			return
		}
		if !r.pause(ctx) {
			return
		}
	}
	if r.cfg.AgentExchanges <= r.cfg.HandoffMessages { // the agent closes after its last answer
		if ev, ok := await(func(ev wsEvent) bool { return ev.Type == "closed" }); ok && ev.Type == "closed" {
			left = true
		}
	}
}

// deskMsg is an envelope of the agent websocket.
type deskMsg struct {
	Type string `json:"type"`
	Task *struct {
		ID             string    `json:"id"`
		ConversationID string    `json:"conversation_id"`
		CreatedAt      time.Time `json:"created_at"`
	} `json:"task"`
	Conversation *struct {
		ID     string    `json:"id"`
		Events []wsEvent `json:"events"`
	} `json:"conversation"`
	ConversationID string   `json:"conversation_id"`
	TaskID         string   `json:"task_id"` // error: the task of the command refused
	Event          *wsEvent `json:"event"`
	Code           string   `json:"code"`
	For            string   `json:"for"`
}

// agentURL is the server URL of agent i (1-based): agents spread over the URLs in turn.
func (r *run) agentURL(i int) string {
	return r.cfg.URLs[(i-1)%len(r.cfg.URLs)]
}

// agentLogin returns the desk session of agent i (1-based): POST /api/v1/agent/login, or
// cfg.AgentSession when the server refuses the attempt (429: its login limits).
func (r *run) agentLogin(ctx context.Context, i int) (string, error) {
	login := r.cfg.AgentLoginPrefix + strconv.Itoa(i)
	body, _ := json.Marshal(map[string]string{"login": login, "password": r.cfg.AgentPassword})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.agentURL(i)+"/api/v1/agent/login", strings.NewReader(string(body)))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.cfg.Client.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests && r.cfg.AgentSession != nil {
		return r.cfg.AgentSession(ctx, login)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("connexion de l'agent %s : %d", login, resp.StatusCode)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == agentCookie {
			return ck.Value, nil
		}
	}
	return "", fmt.Errorf("connexion de l'agent %s : pas de cookie de session", login)
}

// agent opens agent i's desk, sets it ready and then accepts every offer, answers each
// customer message at once and closes a conversation after cfg.AgentExchanges answers.
// ready is called once the server has confirmed the ready state (or the agent failed).
func (r *run) agent(ctx context.Context, i int, ready func(error)) {
	var once sync.Once
	signal := func(err error) { once.Do(func() { ready(err) }) }
	defer signal(errors.New("agent arrêté"))
	token, err := r.agentLogin(ctx, i)
	if err != nil {
		signal(err)
		return
	}
	h := http.Header{"Cookie": {agentCookie + "=" + token}}
	ws, _, err := websocket.Dial(ctx, wsURL(r.agentURL(i), "/api/v1/agent/ws"),
		&websocket.DialOptions{HTTPClient: r.cfg.Client, HTTPHeader: h})
	if err != nil {
		signal(fmt.Errorf("websocket de l'agent %d : %w", i, err))
		return
	}
	defer ws.CloseNow()
	ws.SetReadLimit(-1) // "assigned" carries whole transcripts
	send := func(cmd map[string]string) {
		data, _ := json.Marshal(cmd)
		if err := ws.Write(ctx, websocket.MessageText, data); err != nil && ctx.Err() == nil {
			r.fail("agent : écriture")
		}
	}
	send(map[string]string{"type": "set_state", "state": "ready"})
	answered := map[string]int{}   // conversation → answers given
	offered := map[string]string{} // task → conversation, for the errors of accept
	// answer replies at once to a customer message of this run, and closes after the last.
	answer := func(conv string, ev wsEvent) {
		if ev.Type != "message" || ev.From != "customer" {
			return
		}
		d, ok := r.h.sentSince(conv, ev.Text)
		if !ok {
			return
		}
		r.h.record(&r.h.toAgent, d)
		r.agentMessages.Add(1)
		reply := "réponse à « " + ev.Text + " »"
		r.h.sent.Store(sentKey(conv, reply), time.Now())
		send(map[string]string{"type": "message", "conversation_id": conv, "text": reply})
		answered[conv]++
		if answered[conv] >= r.cfg.AgentExchanges {
			send(map[string]string{"type": "close", "conversation_id": conv})
			delete(answered, conv)
		}
	}
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			if ctx.Err() == nil {
				r.fail("agent : websocket fermée")
			}
			return
		}
		var m deskMsg
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		switch m.Type {
		case "state":
			if strings.Contains(string(data), `"state":"ready"`) {
				signal(nil)
			}
		case "offer":
			if m.Task == nil {
				continue
			}
			if v, ok := r.h.registry.Load(m.Task.ConversationID); ok {
				start := v.(time.Time) // enqueued after the request was sent, and at CreatedAt (ms)
				if m.Task.CreatedAt.After(start) {
					start = m.Task.CreatedAt
				}
				r.h.record(&r.h.offer, max(0, time.Since(start)))
			}
			offered[m.Task.ID] = m.Task.ConversationID
			send(map[string]string{"type": "accept", "task_id": m.Task.ID})
		case "assigned":
			conv := ""
			if m.Conversation != nil {
				conv = m.Conversation.ID
			} else if m.Task != nil {
				conv = m.Task.ConversationID
			}
			if _, ok := r.h.registry.Load(conv); !ok { // left over from an earlier run
				send(map[string]string{"type": "close", "conversation_id": conv})
				continue
			}
			answered[conv] = 0
			if m.Task != nil {
				delete(offered, m.Task.ID)
			}
			// A message the customer sent while the assignment was being made comes in the
			// transcript, not as an event.
			if m.Conversation != nil {
				for _, ev := range m.Conversation.Events {
					answer(conv, ev)
				}
			}
		case "event":
			if m.Event != nil {
				answer(m.ConversationID, *m.Event)
			}
		case "offer_expired":
			delete(offered, m.TaskID)
		case "released":
			delete(answered, m.ConversationID)
		case "error":
			if ctx.Err() != nil || m.For == "close" { // a close may race the customer leaving
				continue
			}
			conv := m.ConversationID
			if conv == "" {
				conv = offered[m.TaskID]
				delete(offered, m.TaskID)
			}
			if _, ok := r.h.registry.Load(conv); conv != "" && !ok {
				continue // the customer left at the end of the run while the agent answered
			}
			r.fail("agent : " + m.For + " " + m.Code)
		}
	}
}

// startAgents starts cfg.Agents agents under ctx and waits until all are ready.
func (r *run) startAgents(ctx context.Context, wg *sync.WaitGroup) error {
	errs := make(chan error, r.cfg.Agents)
	for i := 1; i <= r.cfg.Agents; i++ {
		wg.Go(func() { r.agent(ctx, i, func(err error) { errs <- err }) })
	}
	var all []error
	timeout := time.After(30 * time.Second)
	for range r.cfg.Agents {
		select {
		case err := <-errs:
			all = append(all, err)
		case <-timeout:
			return errors.New("loadtest : les agents ne sont pas prêts après 30 s")
		}
	}
	return errors.Join(all...)
}

// percentiles returns p50 and p99 of lat, which it sorts.
func percentiles(lat []time.Duration) (p50, p99 time.Duration) {
	slices.Sort(lat)
	if n := len(lat); n > 0 {
		return lat[n*50/100], lat[min(n-1, n*99/100)]
	}
	return 0, 0
}
