package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/server"
	"github.com/relais/relais/store/storetest"
)

func TestAgentLoginLogoutAndCookie(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	d.addAgent(t, "alice")
	tests := []struct {
		name       string
		body       string
		wantStatus int
	}{
		{"wrong password", `{"login":"alice","password":"pas le bon mot"}`, http.StatusUnauthorized},
		{"unknown login", `{"login":"personne","password":"` + testPassword + `"}`, http.StatusUnauthorized},
		{"missing password", `{"login":"alice"}`, http.StatusBadRequest},
		{"right password", `{"login":"Alice","password":"` + testPassword + `"}`, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := call(t, "POST", d.url+"/api/v1/agent/login", "", tt.body)
			if status != tt.wantStatus {
				t.Fatalf("got %d %s, want %d", status, body, tt.wantStatus)
			}
			cookie := h.Get("Set-Cookie")
			if status != http.StatusOK {
				if cookie != "" {
					t.Fatalf("got cookie %q on a failed login", cookie)
				}
				return
			}
			for _, want := range []string{"relais_agent=", "HttpOnly", "SameSite=Strict", "Path=/"} {
				if !strings.Contains(cookie, want) {
					t.Errorf("Set-Cookie %q: want %s", cookie, want)
				}
			}
		})
	}

	cookie := d.login(t, "alice")
	me := func() int {
		req, _ := http.NewRequest("GET", d.url+"/api/v1/agent/me", nil)
		req.AddCookie(cookie)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := me(); got != http.StatusOK {
		t.Fatalf("me with the session: got %d, want 200", got)
	}
	dk := d.openDesk(t, cookie)
	dk.await(t, "state", isType("state"))

	req, _ := http.NewRequest("POST", d.url+"/api/v1/agent/logout", nil)
	req.AddCookie(cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("logout: got %d, want 204", resp.StatusCode)
	}
	if got := me(); got != http.StatusUnauthorized {
		t.Fatalf("me after logout: got %d, want 401", got)
	}
	for range dk.msgs { // the logout closes the desk's socket
	}
	if got := websocket.CloseStatus(dk.err.Load().(error)); got != 4001 {
		t.Fatalf("desk socket after logout: got close status %d, want 4001", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	h := http.Header{"Cookie": {cookie.Name + "=" + cookie.Value}}
	_, r, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(d.url, "http")+"/api/v1/agent/ws", &websocket.DialOptions{HTTPHeader: h})
	if err == nil || r == nil || r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("agent ws after logout: got %v, want 401", err)
	}
}

func TestAgentLoginIsRateLimited(t *testing.T) {
	// The delays' clock stands still: the 5th failure's delay has not run out when the 6th
	// attempt comes, however long the password checks take (seconds under -race).
	st := storetest.Open(t)
	stopped := time.Now()
	accounts := handoff.NewAccounts(st, handoff.AccountOptions{Cost: 10, Now: func() time.Time { return stopped }})
	bot := &fakeBot{}
	in := serve(t, bot, server.Deps{Store: st, Bot: bot, Static: testStatic, Router: handoff.NewRouter(st, handoff.Options{}),
		Accounts: accounts}, testConfig())
	d := &deskInstance{instance: in, accounts: accounts, st: st}
	d.addAgent(t, "alice")
	for i := range 5 {
		status, _, body := call(t, "POST", d.url+"/api/v1/agent/login", "", `{"login":"alice","password":"mauvais mot de passe"}`)
		if status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: got %d %s, want 401", i+1, status, body)
		}
	}
	status, h, body := call(t, "POST", d.url+"/api/v1/agent/login", "", `{"login":"alice","password":"`+testPassword+`"}`)
	if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
		t.Fatalf("6th attempt: got %d (Retry-After %q) %s, want 429 with Retry-After", status, h.Get("Retry-After"), body)
	}
	if e := decode[errorBody](t, body); e.Error.Code != "too_many" {
		t.Fatalf("got code %q, want too_many", e.Error.Code)
	}
}

func TestAgentTakesOverAConversation(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	alice := d.addAgent(t, "alice")
	dk := d.openDesk(t, d.login(t, "alice"))
	dk.await(t, "state", isType("state"))
	dk.setReady(t)

	c := d.open(t)
	ws := d.dial(t, c, "0")
	if got := d.say(t, c, "conseiller"); len(got.Events) == 0 {
		t.Fatalf("handoff answer: got no event")
	}
	queued := awaitEvent(t, ws, "queued", func(ev conversation.Event) bool { return ev.Type == conversation.TypeQueued && ev.Position > 0 })
	if queued.Position != 1 {
		t.Errorf("queued: got position %d, want 1", queued.Position)
	}
	offer := dk.await(t, "offer", isType("offer"))
	if offer.Task == nil || offer.Task.ConversationID != c.ID || !offer.ExpiresAt.After(time.Now()) {
		t.Fatalf("offer: got %+v, want the conversation %s with a deadline to come", offer, c.ID)
	}
	dk.send(t, map[string]string{"type": "accept", "task_id": offer.Task.ID})
	assigned := dk.await(t, "assigned", isType("assigned"))
	if assigned.Conversation == nil || count(assigned.Conversation.Events, conversation.TypeMessage) < 3 {
		t.Fatalf("assigned: got %+v, want the transcript with the bot's part", assigned.Conversation)
	}
	if tr := assigned.Conversation.Events; tr[0].From != conversation.FromBot {
		t.Errorf("transcript starts with %+v, want the bot's welcome", tr[0])
	}
	joined := awaitEvent(t, ws, "agent_joined", func(ev conversation.Event) bool { return ev.Type == conversation.TypeAgentJoined })
	if joined.Agent != alice.Name {
		t.Errorf("agent_joined: got agent %q, want %q", joined.Agent, alice.Name)
	}

	dk.send(t, map[string]string{"type": "message", "conversation_id": c.ID, "text": "Bonjour, je m'occupe de vous."})
	got := awaitEvent(t, ws, "the agent's message", func(ev conversation.Event) bool { return ev.From == conversation.FromAgent })
	if got.Text != "Bonjour, je m'occupe de vous." || got.Agent != alice.Name {
		t.Errorf("agent message: got %+v", got)
	}
	if ans := d.say(t, c, "merci beaucoup"); len(ans.Events) != 0 {
		t.Errorf("the bot answered while an agent owns the conversation: %+v", ans.Events)
	}
	fromCustomer := dk.await(t, "the customer's message", func(m deskMsg) bool {
		return m.Type == "event" && m.Event.From == conversation.FromCustomer && m.Event.Text == "merci beaucoup"
	})
	if fromCustomer.ConversationID != c.ID {
		t.Errorf("event: got conversation %q, want %q", fromCustomer.ConversationID, c.ID)
	}

	dk.send(t, map[string]string{"type": "close", "conversation_id": c.ID})
	awaitEvent(t, ws, "closed", func(ev conversation.Event) bool { return ev.Type == conversation.TypeClosed })
	dk.await(t, "released", isType("released"))
	if n := d.bot.handled.Load(); n != 1 {
		t.Errorf("bot handled %d messages, want 1 (only the handoff request)", n)
	}
}

func TestRejectedOfferGoesToTheNextAgent(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	agents := map[string]*desk{}
	for _, login := range []string{"alice", "bruno"} {
		a := d.addAgent(t, login)
		dk := d.openDesk(t, d.login(t, login))
		dk.await(t, "state", isType("state"))
		dk.setReady(t)
		agents[a.ID] = dk
	}
	c := d.open(t)
	d.say(t, c, "conseiller")
	ctx := context.Background()
	task, err := d.router.TaskOf(ctx, c.ID)
	if err != nil || task.AgentID == "" {
		t.Fatalf("task: got %+v %v, want one offered", task, err)
	}
	first := agents[task.AgentID]
	first.await(t, "offer", isType("offer"))
	first.send(t, map[string]string{"type": "reject", "task_id": task.ID})
	first.await(t, "offer_expired", isType("offer_expired"))
	var second *desk
	for id, dk := range agents {
		if id != task.AgentID {
			second = dk
		}
	}
	offer := second.await(t, "offer to the next agent", isType("offer"))
	second.send(t, map[string]string{"type": "accept", "task_id": offer.Task.ID})
	second.await(t, "assigned", isType("assigned"))
	first.send(t, map[string]string{"type": "accept", "task_id": task.ID})
	e := first.await(t, "error", isType("error"))
	if e.Code != "conflict" || e.For != "accept" || e.Message == "" {
		t.Fatalf("late accept: got %+v, want a conflict error", e)
	}
}

func TestNoAgentTellsTheCustomerAndLeaveCancels(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	c := d.open(t)
	ws := d.dial(t, c, "0")
	d.say(t, c, "conseiller")
	awaitEvent(t, ws, "queued", func(ev conversation.Event) bool { return ev.Type == conversation.TypeQueued && ev.Position > 0 })
	msg := awaitEvent(t, ws, "no agent", func(ev conversation.Event) bool {
		return ev.From == conversation.FromSystem && strings.Contains(ev.Text, "Aucun conseiller")
	})
	if !strings.Contains(msg.Text, "laisser un message") {
		t.Errorf("no-agent message: got %q", msg.Text)
	}
	d.say(t, c, "je laisse un message") // kept for the desk
	status, _, body := call(t, "POST", d.url+"/api/v1/conversations/"+c.ID+"/leave", c.Token, "")
	if status != http.StatusNoContent {
		t.Fatalf("leave: got %d %s, want 204", status, body)
	}
	awaitEvent(t, ws, "closed", func(ev conversation.Event) bool { return ev.Type == conversation.TypeClosed })
	if _, err := d.router.TaskOf(context.Background(), c.ID); err == nil {
		t.Fatalf("task still live after the customer left")
	}
}

// TestTwoInstancesApplyEachChangeOnce: the desk on one instance, customers on the other;
// every conversation gets exactly one agent_joined and one closed although both instances
// read every notice.
func TestTwoInstancesApplyEachChangeOnce(t *testing.T) {
	st := storetest.Open(t)
	a := startDesk(t, st, testConfig())
	b := startDesk(t, st, testConfig())
	a.addAgent(t, "alice")
	dk := a.openDesk(t, a.login(t, "alice"))
	dk.await(t, "state", isType("state"))
	dk.setReady(t)
	for i := range 5 {
		c := b.open(t)
		ws := b.dial(t, c, "0")
		b.say(t, c, "conseiller")
		offer := dk.await(t, "offer", isType("offer"))
		dk.send(t, map[string]string{"type": "accept", "task_id": offer.Task.ID})
		dk.await(t, "assigned", isType("assigned"))
		dk.send(t, map[string]string{"type": "message", "conversation_id": c.ID, "text": "bonjour"})
		b.say(t, c, "bonjour à vous")
		dk.await(t, "customer message", func(m deskMsg) bool { return m.Type == "event" && m.Event.Text == "bonjour à vous" })
		dk.send(t, map[string]string{"type": "close", "conversation_id": c.ID})
		awaitEvent(t, ws, "closed", func(ev conversation.Event) bool { return ev.Type == conversation.TypeClosed })
		dk.await(t, "released", isType("released"))
		events := a.events(t, c, "0")
		// queued twice: the handoff, then the position (told once though two processes apply it)
		for typ, want := range map[string]int{conversation.TypeAgentJoined: 1, conversation.TypeClosed: 1, conversation.TypeQueued: 2} {
			if got := count(events, typ); got != want {
				t.Fatalf("conversation %d: got %d %s events, want %d:\n%+v", i, got, typ, want, events)
			}
		}
	}
}

// TestTransferBackToTheQueueAndPositions: an agent puts the conversation back in the queue;
// the customer sees the agent leave and their position; another agent picks it and joins.
// A customer behind them moves up when the first one leaves.
func TestTransferBackToTheQueueAndPositions(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	alice := d.addAgent(t, "alice")
	d.addAgent(t, "bruno")
	da := d.openDesk(t, d.login(t, "alice"))
	da.await(t, "state", isType("state"))
	db := d.openDesk(t, d.login(t, "bruno"))
	db.await(t, "state", isType("state"))

	first, second := d.open(t), d.open(t)
	ws1, ws2 := d.dial(t, first, "0"), d.dial(t, second, "0")
	d.say(t, first, "conseiller")
	d.say(t, second, "conseiller")
	if ev := awaitEvent(t, ws2, "queued", func(ev conversation.Event) bool { return ev.Type == conversation.TypeQueued && ev.Position > 0 }); ev.Position != 2 {
		t.Fatalf("second customer: got position %d, want 2", ev.Position)
	}
	task, err := d.router.TaskOf(context.Background(), first.ID)
	if err != nil {
		t.Fatal(err)
	}
	da.send(t, map[string]string{"type": "pick", "task_id": task.ID})
	da.await(t, "assigned", isType("assigned"))
	awaitEvent(t, ws1, "agent_joined", func(ev conversation.Event) bool { return ev.Type == conversation.TypeAgentJoined })
	if ev := awaitEvent(t, ws2, "moved up", func(ev conversation.Event) bool { return ev.Type == conversation.TypeQueued && ev.Position > 0 }); ev.Position != 1 {
		t.Fatalf("second customer after the first was taken: got position %d, want 1", ev.Position)
	}

	da.send(t, map[string]string{"type": "transfer", "conversation_id": first.ID})
	da.await(t, "released", func(m deskMsg) bool { return m.Type == "released" && m.ConversationID == first.ID })
	left := awaitEvent(t, ws1, "agent_left", func(ev conversation.Event) bool { return ev.Type == conversation.TypeAgentLeft })
	if left.Agent != alice.Name {
		t.Errorf("agent_left: got %q, want %q", left.Agent, alice.Name)
	}
	if ev := awaitEvent(t, ws1, "queued again", func(ev conversation.Event) bool { return ev.Type == conversation.TypeQueued && ev.Position > 0 }); ev.Position != 1 {
		t.Errorf("requeued at the head: got position %d, want 1", ev.Position)
	}
	db.send(t, map[string]string{"type": "pick", "task_id": task.ID})
	db.await(t, "assigned", isType("assigned"))
	joined := awaitEvent(t, ws1, "agent_joined", func(ev conversation.Event) bool { return ev.Type == conversation.TypeAgentJoined })
	if joined.Agent != "Agent bruno" {
		t.Errorf("agent_joined: got %q, want Agent bruno", joined.Agent)
	}
	db.send(t, map[string]string{"type": "message", "conversation_id": first.ID, "text": "Je prends le relais."})
	awaitEvent(t, ws1, "bruno's message", func(ev conversation.Event) bool {
		return ev.From == conversation.FromAgent && ev.Agent == "Agent bruno"
	})
	da.send(t, map[string]string{"type": "message", "conversation_id": first.ID, "text": "encore moi"})
	if e := da.await(t, "error", isType("error")); e.Code != "forbidden" {
		t.Errorf("message to a conversation no longer hers: got %+v, want forbidden", e)
	}
}

// TestHandBackLetsTheBotResume: the agent gives the conversation back to the bot, which
// answers again; asking for an agent again queues it afresh.
func TestHandBackLetsTheBotResume(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	d.addAgent(t, "alice")
	dk := d.openDesk(t, d.login(t, "alice"))
	dk.await(t, "state", isType("state"))
	dk.setReady(t)
	c := d.open(t)
	ws := d.dial(t, c, "0")
	d.say(t, c, "conseiller")
	offer := dk.await(t, "offer", isType("offer"))
	dk.send(t, map[string]string{"type": "accept", "task_id": offer.Task.ID})
	awaitEvent(t, ws, "agent_joined", func(ev conversation.Event) bool { return ev.Type == conversation.TypeAgentJoined })
	dk.send(t, map[string]string{"type": "hand_back", "conversation_id": c.ID})
	awaitEvent(t, ws, "agent_left", func(ev conversation.Event) bool { return ev.Type == conversation.TypeAgentLeft })
	if ans := d.say(t, c, "re-bonjour"); len(ans.Events) != 1 || ans.Events[0].Text != "écho : re-bonjour" {
		t.Fatalf("after hand back: got %+v, want the bot's answer", ans.Events)
	}
	d.say(t, c, "conseiller")
	if ev := awaitEvent(t, ws, "queued again", func(ev conversation.Event) bool { return ev.Type == conversation.TypeQueued && ev.Position > 0 }); ev.Position != 1 {
		t.Fatalf("queued again: got position %d, want 1", ev.Position)
	}
	dk.await(t, "a new offer", func(m deskMsg) bool { return m.Type == "offer" && m.Task.ID != offer.Task.ID })
}

// TestLoginLockoutStaysWithTheAttackersAddress: behind a trusted proxy, the login attempts
// count against the client's address (X-Forwarded-For), not the proxy's: after six wrong
// passwords for alice from one address, that address waits (429, in French), and alice's
// right password from another address still opens her session.
func TestLoginLockoutStaysWithTheAttackersAddress(t *testing.T) {
	cfg := testConfig()
	cfg.TrustedProxies = []string{"127.0.0.0/8"}
	// Delays of a minute: the sixth attempt meets one however slow the machine (the race
	// detector makes each attempt take over the default first second).
	st := storetest.Open(t)
	accounts := handoff.NewAccounts(st, handoff.AccountOptions{Cost: 10, FirstDelay: time.Minute, MaxDelay: time.Hour})
	bot := &fakeBot{}
	in := serve(t, bot, server.Deps{Store: st, Bot: bot, Static: testStatic,
		Router: handoff.NewRouter(st, handoff.Options{}), Accounts: accounts}, cfg)
	d := &deskInstance{instance: in, accounts: accounts, st: st}
	d.addAgent(t, "alice")
	login := func(password, from string) (int, []byte) {
		status, _, body := call(t, "POST", d.url+"/api/v1/agent/login", "", `{"login":"alice","password":"`+password+`"}`,
			"X-Forwarded-For", from)
		return status, body
	}
	const attacker, agent = "203.0.113.7", "198.51.100.4"
	refused := 0
	for range 6 {
		if status, _ := login("pas le bon mot de passe", attacker); status == http.StatusTooManyRequests {
			refused++
		}
	}
	if refused == 0 {
		t.Fatal("six wrong passwords from one address: never 429, want the address to wait")
	}
	status, body := login(testPassword, attacker)
	if e := decode[errorBody](t, body); status != http.StatusTooManyRequests || !strings.Contains(e.Error.Message, "identifiant") {
		t.Errorf("right password from the attacker's address: got %d %s, want 429 with a French message", status, body)
	}
	if status, body := login(testPassword, agent); status != http.StatusOK {
		t.Errorf("right password from the agent's own address: got %d %s, want 200", status, body)
	}
}
