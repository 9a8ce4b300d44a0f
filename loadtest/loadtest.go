// Package loadtest is the load generator behind `relais bench`: simulated customers who open
// conversations on a running Relais server and talk to its bot over HTTP, optionally holding
// the conversation's websocket as the widget does, while it measures bot turns per second and
// reply latency. It owns no server code: it speaks the public API only (docs/customer-api.md,
// docs/agent-protocol.md), so it measures any deployment. With Agents, simulated agents hold
// their desk websockets beside the customers: a share of customers asks for a human and talks
// with the agent who accepts. With several URLs (processes of one server sharing one Redis), each customer sends its requests
// to each URL in turn, as a load balancer without stickiness would.
package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// Config describes a run.
type Config struct {
	URL        string        // the server, e.g. http://127.0.0.1:8080 (when URLs is empty)
	URLs       []string      // several processes of one server: customers send their requests to each in turn
	Customers  int           // simulated customers, each with one conversation at a time
	Duration   time.Duration // how long customers keep talking
	Websockets bool          // each customer also holds its conversation's websocket
	Think      time.Duration // pause between a reply (the bot's or the agent's) and the next message (0: none)
	Messages   []string      // what customers say, in turn (nil: DefaultMessages)
	Client     *http.Client  // nil: each customer has its own keep-alive connection per URL; agents and websockets share one client

	// Agents > 0 opens the desks of AgentLoginPrefix1..N, which must exist.
	Agents           int
	AgentLoginPrefix string  // "": "bench-agent-"
	AgentPassword    string  // the agents' password
	HandoffShare     float64 // share of conversations that ask for a human (0..1)
	HandoffText      string  // what they say ("": DefaultHandoffText)
	HandoffMessages  int     // messages a customer then sends to the agent (0: 5)
	AgentExchanges   int     // answers after which the agent closes (0: HandoffMessages)
	// AgentSession, when set, gives a desk session for a login the server refuses to log in
	// (429: its per-address login limit, after failed attempts from the bench's address).
	AgentSession func(ctx context.Context, login string) (string, error)

	// ServerCPU reads process_cpu_seconds_total in each server's /metrics before and after the
	// measure, for the server CPU per bot turn. MetricsURLs replace the URLs' /metrics (a
	// server with RELAIS_METRICS_ADDR); MetricsToken is RELAIS_METRICS_TOKEN, shown as a
	// bearer token (without it, the servers serve /metrics to local connections only).
	ServerCPU    bool
	MetricsURLs  []string
	MetricsToken string
	// RedisMemory, when set, reads the bytes the servers' Redis uses (INFO memory's
	// used_memory), before and after the measure: its growth per conversation and per message.
	RedisMemory func(context.Context) (int64, error)
}

// DefaultMessages are customer messages the built-in bot answers without handing over.
var DefaultMessages = []string{
	"bonjour",
	"quels sont vos horaires d'ouverture ?",
	"comment retourner un article",
	"je voudrais payer en plusieurs fois",
	"merci beaucoup",
	"où sont vos magasins",
	"comment modifier mon adresse de livraison",
	"quels sont les frais de livraison",
}

// Result is what a run measured.
type Result struct {
	URLs           []string // the server URLs the run used
	Elapsed        time.Duration
	Conversations  int64 // opened
	Messages       int64 // customer messages answered 200
	Turns          int64 // of which the bot answered (non-empty events)
	Errors         int64
	ErrorKinds     map[string]int64 // "429 too_many", "503 unavailable", "réseau"… → count
	WebsocketEvent int64            // events received on websockets
	TurnsPerSecond float64
	P50, P99, Max  time.Duration // reply latency of answered messages

	// With agents.
	Handoffs          int64 // conversations an agent joined
	HandoffsPerSecond float64
	AgentMessages     int64         // customer messages received by agents
	OfferP50          time.Duration // enqueue → offer received by an agent
	OfferP99          time.Duration
	ToAgentP50        time.Duration // customer POST sent → agent receives the event
	ToAgentP99        time.Duration
	ToCustomerP50     time.Duration // agent sends → customer websocket receives
	ToCustomerP99     time.Duration

	// With Config.ServerCPU.
	MetricsURLs    []string      `json:",omitempty"`
	ServerCPU      time.Duration `json:",omitempty"` // CPU time of the servers during the measure, summed
	CPUPerTurn     time.Duration `json:",omitempty"` // ServerCPU / Turns
	ServerCPUError string        `json:",omitempty"` // why the CPU could not be read
	RSSStart       int64         `json:",omitempty"` // resident bytes of the servers, summed, before the measure
	RSSEnd         int64         `json:",omitempty"` // and after

	// With Config.RedisMemory.
	RedisMemoryStart     int64   `json:",omitempty"` // bytes Redis used before the measure
	RedisMemoryEnd       int64   `json:",omitempty"` // and after
	RedisPerConversation float64 `json:",omitempty"` // its growth per conversation opened, in bytes
	RedisPerMessage      float64 `json:",omitempty"` // its growth per customer message, in bytes
	RedisMemoryError     string  `json:",omitempty"` // why Redis's memory could not be read
}

// Run drives cfg.Customers customers for cfg.Duration and returns the measures.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Customers <= 0 || cfg.Duration <= 0 || cfg.URL == "" && len(cfg.URLs) == 0 {
		return Result{}, errors.New("loadtest : URL, nombre de clients et durée positifs requis")
	}
	urls, err := serverURLs(cfg)
	if err != nil {
		return Result{}, err
	}
	cfg.URLs, cfg.URL = urls, urls[0]
	if cfg.Messages == nil {
		cfg.Messages = DefaultMessages
	}
	if cfg.HandoffShare < 0 || cfg.HandoffShare > 1 {
		return Result{}, errors.New("loadtest : la part de transferts doit être comprise entre 0 et 1")
	}
	if cfg.HandoffShare > 0 && cfg.Agents <= 0 {
		return Result{}, errors.New("loadtest : des transferts sans agent (--agents) n'aboutiraient pas")
	}
	if cfg.AgentLoginPrefix == "" {
		cfg.AgentLoginPrefix = "bench-agent-"
	}
	if cfg.HandoffText == "" {
		cfg.HandoffText = DefaultHandoffText
	}
	if cfg.HandoffMessages <= 0 {
		cfg.HandoffMessages = 5
	}
	if cfg.AgentExchanges <= 0 {
		cfg.AgentExchanges = cfg.HandoffMessages
	}
	own := cfg.Client == nil // a caller's client is kept for every request
	if cfg.Client == nil {
		cfg.Client = &http.Client{
			Timeout: 30 * time.Second,
			Transport: &http.Transport{
				MaxIdleConns:        (cfg.Customers + cfg.Agents) * 2 * len(urls),
				MaxIdleConnsPerHost: (cfg.Customers + cfg.Agents) * 2,
				IdleConnTimeout:     time.Minute,
			},
		}
	}
	r := &run{cfg: cfg, own: own, errs: map[string]int64{}}
	var agents sync.WaitGroup
	actx, stopAgents := context.WithCancel(ctx)
	defer func() { stopAgents(); agents.Wait() }()
	if cfg.Agents > 0 {
		if err := r.startAgents(actx, &agents); err != nil {
			return Result{}, err
		}
	}
	outer := ctx
	meter := startMeter(outer, cfg)
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	lat := make([][]time.Duration, cfg.Customers)
	for i := range cfg.Customers {
		wg.Go(func() { lat[i] = r.customer(ctx, i) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	res := r.result(elapsed, slices.Concat(lat...))
	meter.stop(outer, &res)
	stopAgents()
	agents.Wait()
	return res, nil
}

// serverURLs returns cfg.URLs, or cfg.URL alone, without a final slash, after checking that
// each is an http:// or https:// address.
func serverURLs(cfg Config) ([]string, error) {
	urls := cfg.URLs
	if len(urls) == 0 {
		urls = []string{cfg.URL}
	}
	out := make([]string, len(urls))
	for i, raw := range urls {
		if raw == "" {
			return nil, errors.New("loadtest : adresse de serveur vide dans la liste")
		}
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
			return nil, fmt.Errorf("loadtest : adresse de serveur invalide « %s » (http://… ou https://… attendu)", raw)
		}
		out[i] = strings.TrimSuffix(raw, "/")
	}
	return out, nil
}

type run struct {
	cfg                             Config
	own                             bool // each customer has its own client per URL (Config.Client nil)
	conversations, messages, turns  atomic.Int64
	errors, wsEvents                atomic.Int64
	opened, handoffs, agentMessages atomic.Int64
	h                               handoffs
	mu                              sync.Mutex
	errs                            map[string]int64
}

func (r *run) fail(kind string) {
	r.errors.Add(1)
	r.mu.Lock()
	r.errs[kind]++
	r.mu.Unlock()
}

func (r *run) result(elapsed time.Duration, lat []time.Duration) Result {
	slices.Sort(lat)
	res := Result{
		URLs: r.cfg.URLs, Elapsed: elapsed, Conversations: r.conversations.Load(), Messages: r.messages.Load(),
		Turns: r.turns.Load(), Errors: r.errors.Load(), ErrorKinds: r.errs, WebsocketEvent: r.wsEvents.Load(),
	}
	res.TurnsPerSecond = float64(res.Turns) / elapsed.Seconds()
	if n := len(lat); n > 0 {
		res.P50, res.P99, res.Max = lat[n*50/100], lat[min(n-1, n*99/100)], lat[n-1]
	}
	res.Handoffs, res.AgentMessages = r.handoffs.Load(), r.agentMessages.Load()
	res.HandoffsPerSecond = float64(res.Handoffs) / elapsed.Seconds()
	r.h.mu.Lock()
	defer r.h.mu.Unlock()
	res.OfferP50, res.OfferP99 = percentiles(r.h.offer)
	res.ToAgentP50, res.ToAgentP99 = percentiles(r.h.toAgent)
	res.ToCustomerP50, res.ToCustomerP99 = percentiles(r.h.toCus)
	return res
}

// conversation is one customer's open conversation.
type conversation struct {
	ID, Token string
	url       string          // the server URL that opened it, for its websocket
	ws        *customerSocket // nil without websocket
}

// customerSocket is a customer's conversation websocket.
type customerSocket struct{ conn *websocket.Conn }

// read returns the next message.
func (s *customerSocket) read() ([]byte, error) {
	_, data, err := s.conn.Read(context.Background())
	return data, err
}

// close closes with the handshake (status 1000); closeNow without.
func (s *customerSocket) close()    { s.conn.Close(websocket.StatusNormalClosure, "") }
func (s *customerSocket) closeNow() { s.conn.CloseNow() }

// route is where one request goes: a server URL and the client to it (the customer's own,
// or cfg.Client).
type route struct {
	url    string
	client *http.Client
}

// ownClient is one customer's client to one URL: one keep-alive connection, as a browser
// would hold.
func ownClient() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 1, IdleConnTimeout: time.Minute}}
}

// servers is one customer's way to the server URLs: each request goes to the next URL in
// turn, as behind a load balancer without stickiness, over the customer's own keep-alive
// connection to that URL (dialled at its first request).
type servers struct {
	routes []route
	next   int
	own    bool // the clients are the customer's own
}

// servers returns customer n's routes, starting at URL n so that customers spread evenly.
func (r *run) servers(n int) *servers {
	s := &servers{next: n % len(r.cfg.URLs), own: r.own}
	for _, u := range r.cfg.URLs {
		rt := route{url: u, client: r.cfg.Client}
		if r.own {
			rt.client = ownClient()
		}
		s.routes = append(s.routes, rt)
	}
	return s
}

// pick returns the route of the next request.
func (s *servers) pick() route {
	rt := s.routes[s.next]
	s.next = (s.next + 1) % len(s.routes)
	return rt
}

// close closes the customer's connections.
func (s *servers) close() {
	for _, rt := range s.routes {
		if s.own {
			rt.client.CloseIdleConnections()
		}
	}
}

// wsURL is the websocket address of path on the server at base (http… → ws…).
func wsURL(base, path string) string {
	return "ws" + strings.TrimPrefix(base, "http") + path
}

// decoder is an answer of the server read from its JSON body (jsonscan.go).
type decoder interface{ decode(data []byte) error }

// decode reads the answer to POST /api/v1/conversations: {"id", "token", …}.
func (c *conversation) decode(data []byte) error {
	return eachMember(data, func(key, value []byte) error {
		switch string(key) {
		case "id":
			return jsonString(value, &c.ID)
		case "token":
			return jsonString(value, &c.Token)
		}
		return nil
	})
}

// customer talks until ctx ends, opening a new conversation when the bot hands over or ends.
func (r *run) customer(ctx context.Context, n int) []time.Duration {
	var lat []time.Duration
	var conv *conversation
	srv := r.servers(n)
	defer srv.close()
	defer func() { r.closeConversation(conv) }()
	for i := 0; ctx.Err() == nil; i++ {
		if conv == nil {
			if r.handoffTurn() {
				r.handoffConversation(ctx, srv, n)
				continue
			}
			conv = r.open(ctx, srv.pick())
			if conv == nil {
				continue
			}
		}
		text := r.cfg.Messages[(n+i)%len(r.cfg.Messages)]
		took, answered, goesOn, err := r.say(ctx, srv.pick(), conv, text, "c"+strconv.Itoa(n)+"-"+strconv.Itoa(i))
		if ctx.Err() != nil {
			break
		}
		switch {
		case err != nil && strings.HasPrefix(err.Error(), "409"): // ended by the server (its size cap): start again
			goesOn = false
		case err != nil:
			r.fail(err.Error())
			goesOn = false
		default:
			r.messages.Add(1)
		}
		if answered {
			r.turns.Add(1)
			lat = append(lat, took)
		}
		if !goesOn { // closed, handed over or refused: start again
			r.closeConversation(conv)
			conv = nil
		}
		r.pause(ctx)
	}
	return lat
}

// pause waits cfg.Think between a reply and the customer's next message; false when the run
// ended meanwhile.
func (r *run) pause(ctx context.Context) bool {
	if r.cfg.Think <= 0 {
		return ctx.Err() == nil
	}
	select {
	case <-ctx.Done():
		return false
	case <-time.After(r.cfg.Think):
		return true
	}
}

// open opens a conversation through to, and holds its websocket when the run asks.
func (r *run) open(ctx context.Context, to route) *conversation {
	c := conversation{url: to.url}
	if err := r.post(ctx, to, "/api/v1/conversations", "", "", nil, http.StatusCreated, &c); err != nil {
		if ctx.Err() == nil {
			r.fail(err.Error())
			time.Sleep(10 * time.Millisecond) // do not spin on a refusing server
		}
		return nil
	}
	r.conversations.Add(1)
	if r.cfg.Websockets {
		r.dial(ctx, &c)
	}
	return &c
}

// dial holds the conversation's websocket and counts the events it carries.
func (r *run) dial(ctx context.Context, c *conversation) {
	ws, err := r.dialConversation(ctx, c)
	if err != nil {
		if ctx.Err() == nil {
			r.fail("websocket")
		}
		return
	}
	c.ws = ws
	go func() {
		for {
			if _, err := ws.read(); err != nil {
				return
			}
			r.wsEvents.Add(1)
		}
	}()
}

// dialConversation opens c's websocket on the server URL that opened c.
func (r *run) dialConversation(ctx context.Context, c *conversation) (*customerSocket, error) {
	path := "/api/v1/conversations/" + c.ID + "/ws?token=" + c.Token
	ws, _, err := websocket.Dial(ctx, wsURL(c.url, path), &websocket.DialOptions{HTTPClient: r.cfg.Client})
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(1 << 20)
	return &customerSocket{ws}, nil
}

func (r *run) closeConversation(c *conversation) {
	if c != nil && c.ws != nil {
		c.ws.close()
	}
}

// answer is the answer to a customer message: {"events": [{"type", "from", …}, …], …}.
type answer struct {
	Events []answerEvent
}

type answerEvent struct{ Type, From string }

func (a *answer) decode(data []byte) error {
	return eachMember(data, func(key, value []byte) error {
		if string(key) != "events" {
			return nil
		}
		a.Events = a.Events[:0]
		return eachElement(value, func(value []byte) error {
			var ev answerEvent
			err := eachMember(value, func(key, value []byte) error {
				switch string(key) {
				case "type":
					return jsonString(value, &ev.Type)
				case "from":
					return jsonString(value, &ev.From)
				}
				return nil
			})
			a.Events = append(a.Events, ev)
			return err
		})
	})
}

// goesOn reports whether the bot still owns the conversation after this answer.
func (a answer) goesOn() bool {
	for _, ev := range a.Events {
		if ev.Type == "closed" || ev.Type == "queued" || ev.From == "system" {
			return false
		}
	}
	return true
}

// say posts one message through to and returns its latency, whether the bot answered and
// whether the conversation goes on with the bot (not closed, not handed over).
func (r *run) say(ctx context.Context, to route, c *conversation, text, key string) (time.Duration, bool, bool, error) {
	body := messageBody(text)
	var a answer
	start := time.Now()
	err := r.post(ctx, to, "/api/v1/conversations/"+c.ID+"/messages", c.Token, key, body, http.StatusOK, &a)
	return time.Since(start), len(a.Events) > 0, a.goesOn(), err
}

// messageBody is the JSON body of a customer message.
func messageBody(text string) []byte {
	body, _ := json.Marshal(struct {
		Text string `json:"text"`
	}{text})
	return body
}

// errorKind names an unexpected answer by its status and, when its body is the server's JSON
// error, its code: "409 conflict".
func errorKind(resp *http.Response) string {
	var body struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	kind := strconv.Itoa(resp.StatusCode)
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if json.Unmarshal(data, &body) == nil && body.Error.Code != "" {
		kind += " " + body.Error.Code
	}
	return kind
}

// post sends a JSON POST to path on the server of to and decodes the answer into out (unless
// nil), through to.client. An unexpected status is an error named by it, a failed exchange is
// "réseau".
func (r *run) post(ctx context.Context, to route, path, token, key string, body []byte, want int, out decoder) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, to.url+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := to.client.Do(req)
	if err != nil {
		return errors.New("réseau")
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		return errors.New(errorKind(resp))
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return errors.New("réseau")
	}
	if out == nil {
		return nil
	}
	return out.decode(data)
}

// Print writes res for people.
func (res Result) Print(w io.Writer) {
	if len(res.URLs) > 1 {
		fmt.Fprintf(w, "serveurs         %d (requêtes des clients tour à tour) : %s\n", len(res.URLs), strings.Join(res.URLs, ", "))
	}
	fmt.Fprintf(w, "durée            %.1f s\n", res.Elapsed.Seconds())
	fmt.Fprintf(w, "conversations    %d\n", res.Conversations)
	fmt.Fprintf(w, "messages         %d\n", res.Messages)
	switch {
	case res.CPUPerTurn > 0:
		fmt.Fprintf(w, "tours du bot     %d (%.0f /s, %.0f µs CPU serveur /tour)\n", res.Turns, res.TurnsPerSecond,
			float64(res.CPUPerTurn.Nanoseconds())/1000)
	default:
		fmt.Fprintf(w, "tours du bot     %d (%.0f /s)\n", res.Turns, res.TurnsPerSecond)
	}
	switch {
	case res.ServerCPUError != "":
		fmt.Fprintf(w, "CPU serveur      illisible : %s\n", res.ServerCPUError)
	case len(res.MetricsURLs) > 0:
		fmt.Fprintf(w, "CPU serveur      %.2f s en %.1f s (%.2f cœur, %d processus)\n", res.ServerCPU.Seconds(),
			res.Elapsed.Seconds(), res.ServerCPU.Seconds()/res.Elapsed.Seconds(), len(res.MetricsURLs))
	}
	if res.RSSEnd > 0 {
		fmt.Fprintf(w, "mémoire serveur  %s au début, %s à la fin (résidente, %d processus)\n", mb(res.RSSStart), mb(res.RSSEnd), len(res.MetricsURLs))
	}
	switch {
	case res.RedisMemoryError != "":
		fmt.Fprintf(w, "mémoire Redis    illisible : %s\n", res.RedisMemoryError)
	case res.RedisMemoryEnd > 0:
		fmt.Fprintf(w, "mémoire Redis    %s → %s : %.0f octets par conversation, %.0f par message\n", mb(res.RedisMemoryStart),
			mb(res.RedisMemoryEnd), res.RedisPerConversation, res.RedisPerMessage)
	}
	fmt.Fprintf(w, "latence réponse  p50 %s  p99 %s  max %s\n", ms(res.P50), ms(res.P99), ms(res.Max))
	if res.Handoffs > 0 || res.AgentMessages > 0 {
		fmt.Fprintf(w, "transferts       %d (%.1f /s)\n", res.Handoffs, res.HandoffsPerSecond)
		fmt.Fprintf(w, "latence offre    p50 %s  p99 %s  (mise en file → offre reçue par un agent)\n", ms(res.OfferP50), ms(res.OfferP99))
		fmt.Fprintf(w, "client → agent   p50 %s  p99 %s  (%d messages, %.0f /s)\n", ms(res.ToAgentP50), ms(res.ToAgentP99),
			res.AgentMessages, float64(res.AgentMessages)/res.Elapsed.Seconds())
		fmt.Fprintf(w, "agent → client   p50 %s  p99 %s\n", ms(res.ToCustomerP50), ms(res.ToCustomerP99))
	}
	if res.WebsocketEvent > 0 {
		fmt.Fprintf(w, "websockets       %d événements reçus\n", res.WebsocketEvent)
	}
	if res.Errors > 0 {
		fmt.Fprintf(w, "erreurs          %d %v\n", res.Errors, res.ErrorKinds)
		if limited(res.ErrorKinds) {
			fmt.Fprintln(w, "  (429 : limites de débit du serveur ; pour mesurer, lancez-le avec RELAIS_RATE_IP=0 RELAIS_RATE_IP_CONVERSATIONS=0 RELAIS_RATE_CONVERSATION=0, et au-delà de 50 clients RELAIS_CONNECTIONS_PER_IP=0 RELAIS_WEBSOCKETS_PER_IP=0)")
		}
	}
}

func mb(bytes int64) string { return fmt.Sprintf("%.1f Mo", float64(bytes)/(1<<20)) }

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// limited says that some answers were the server's rate limits (429).
func limited(kinds map[string]int64) bool {
	for kind, n := range kinds {
		if n > 0 && strings.HasPrefix(kind, "429") {
			return true
		}
	}
	return false
}
