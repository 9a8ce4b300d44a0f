// Package metrics owns Relais's Prometheus registry: the Go runtime and process collectors,
// and the server's own metrics behind typed methods (requests, bot turns, websockets,
// routing). Every label value is bounded: routes are route templates, intents are intent ids
// (never customer text), the rest are fixed sets chosen here. Each Metrics has its own
// registry, so several servers in one process (the tests) do not share counters.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// LatencyBuckets are the upper bounds (seconds) of the request latency histogram.
var LatencyBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// acceptBuckets bound the wait of a handed-over conversation until an agent accepts it.
var acceptBuckets = []float64{0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800}

// lagBuckets bound the lag between a routing notice being written and this process reading it.
var lagBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

// Side is who holds a websocket.
type Side int

const (
	Customer Side = iota // the widget's conversation socket
	Agent                // the desk's socket
)

// OfferEvent is what happened to an offer of a conversation to an agent, besides its
// acceptance (Accepted, with the wait).
type OfferEvent int

const (
	OfferMade      OfferEvent = iota // an agent was offered a conversation
	OfferExpired                     // the agent let the deadline pass
	OfferRejected                    // the agent declined
	OfferWithdrawn                   // the router took it back (the conversation left, the agent went away)
)

// outcomes are the label values of relais_offer_outcomes_total, by OfferEvent (OfferMade has none).
var outcomes = [...]string{OfferExpired: "expired", OfferRejected: "rejected", OfferWithdrawn: "withdrawn"}

// maxIntents bounds the intent label: past it, new ids count as "other".
const maxIntents = 512

// Metrics is one process's metrics. Its methods are safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	requests *prometheus.CounterVec   // route, method, status
	latency  *prometheus.HistogramVec // route

	turns         *prometheus.CounterVec // intent
	notUnderstood prometheus.Counter
	handoffs      prometheus.Counter

	sockets      [2]prometheus.Gauge // by Side
	socketsSlow  prometheus.Counter
	socketsReset prometheus.Counter

	offers       prometheus.Counter
	outcomes     *prometheus.CounterVec // outcome
	accepted     prometheus.Counter     // = outcomes{outcome="accepted"}
	timeToAccept prometheus.Histogram
	noticeLag    prometheus.Histogram
	queue        queueCollector

	intentsMu sync.RWMutex
	intents   map[string]prometheus.Counter
}

// New builds the registry with the Go runtime and process collectors and Relais's metrics.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	counter := func(name, help string) prometheus.Counter {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
		f(c)
		return c
	}
	gauge := func(name, help string) prometheus.Gauge {
		g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
		f(g)
		return g
	}
	m := &Metrics{reg: reg, intents: map[string]prometheus.Counter{}}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "relais_http_requests_total",
		Help: "HTTP requests by route, method and status."}, []string{"route", "method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "relais_http_request_duration_seconds",
		Help: "HTTP request latency by route.", Buckets: LatencyBuckets}, []string{"route"})
	m.turns = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "relais_bot_turns_total",
		Help: "Bot turns by classified intent (none: no intent)."}, []string{"intent"})
	f(m.requests)
	f(m.latency)
	f(m.turns)
	m.notUnderstood = counter("relais_bot_not_understood_total", "Bot turns where the customer was not understood (rate: divide by relais_bot_turns_total).")
	m.handoffs = counter("relais_handoffs_total", "Conversations the bot handed to the agent queue.")
	m.sockets[Customer] = gauge("relais_websockets_active", "Open customer websockets on this instance.")
	m.sockets[Agent] = gauge("relais_agent_websockets_active", "Open desk (agent) websockets on this instance.")
	m.socketsSlow = counter("relais_websockets_slow_closed_total", "Websockets closed because the client could not keep up.")
	m.socketsReset = counter("relais_websockets_reset_total", "Websockets told to reload their conversation because the store was behind them (a Redis failover lost events).")
	m.offers = counter("relais_offers_total", "Offers of a waiting conversation made to an agent.")
	m.outcomes = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "relais_offer_outcomes_total",
		Help: "Offers ended, by outcome: accepted, expired (deadline passed), rejected (declined) or withdrawn (by the router)."}, []string{"outcome"})
	f(m.outcomes)
	m.accepted = m.outcomes.WithLabelValues("accepted")
	for _, o := range outcomes {
		m.outcomes.WithLabelValues(o) // present at 0 from the start
	}
	m.timeToAccept = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "relais_time_to_accept_seconds",
		Help: "Wait of a handed-over conversation, from its handoff to an agent accepting it.", Buckets: acceptBuckets})
	m.noticeLag = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "relais_notice_lag_seconds",
		Help: "Lag between a routing notice being written and this instance reading it.", Buckets: lagBuckets})
	f(m.timeToAccept)
	f(m.noticeLag)
	m.queue.desc = prometheus.NewDesc("relais_queue_length", "Conversations waiting for an agent.", nil, nil)
	f(&m.queue)
	return m
}

// Registry is the registry, for collectors of other packages.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition formats, with no access check.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, ErrorHandling: promhttp.ContinueOnError})
}

// Request counts one answered HTTP request. route must be a route template (or a fixed word
// such as "unmatched"), never the request's path.
func (m *Metrics) Request(route, method string, status int, took time.Duration) {
	m.requests.WithLabelValues(route, knownMethod(method), strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(took.Seconds())
}

// knownMethod keeps the label bounded: a client may send any method.
func knownMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// Turn counts one bot turn: its intent id ("" counts as "none"), whether the customer was
// understood, whether the bot handed the conversation over.
func (m *Metrics) Turn(intent string, understood, handoff bool) {
	m.intent(intent).Inc()
	if !understood {
		m.notUnderstood.Inc()
	}
	if handoff {
		m.handoffs.Inc()
	}
}

// intent is the counter of one intent id; ids that do not look like one, or past maxIntents
// distinct ids, count as "other".
func (m *Metrics) intent(id string) prometheus.Counter {
	if id == "" {
		id = "none"
	}
	m.intentsMu.RLock()
	c := m.intents[id]
	m.intentsMu.RUnlock()
	if c != nil {
		return c
	}
	if !plainID(id) {
		id = "other"
	}
	m.intentsMu.Lock()
	defer m.intentsMu.Unlock()
	if c := m.intents[id]; c != nil {
		return c
	}
	if len(m.intents) >= maxIntents {
		id = "other"
		if c := m.intents[id]; c != nil {
			return c
		}
	}
	c = m.turns.WithLabelValues(id)
	m.intents[id] = c
	return c
}

// plainID is a short identifier: letters, digits and _ - . : / only.
func plainID(s string) bool {
	if len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if !('a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' ||
			ch == '_' || ch == '-' || ch == '.' || ch == ':' || ch == '/') {
			return false
		}
	}
	return true
}

// SocketOpened and SocketClosed follow the open websockets of one side.
func (m *Metrics) SocketOpened(s Side) { m.sockets[s].Inc() }

// SocketClosed: see SocketOpened.
func (m *Metrics) SocketClosed(s Side) { m.sockets[s].Dec() }

// SetSockets sets the open websockets of one side, for a caller that counts them itself.
func (m *Metrics) SetSockets(s Side, n int) { m.sockets[s].Set(float64(n)) }

// SlowSocketClosed counts a websocket closed because its client could not keep up.
func (m *Metrics) SlowSocketClosed() { m.socketsSlow.Inc() }

// SocketReset counts a websocket told to reload its conversation.
func (m *Metrics) SocketReset() { m.socketsReset.Inc() }

// Offer counts an offer made, or one that ended without acceptance.
func (m *Metrics) Offer(e OfferEvent) {
	switch {
	case e == OfferMade:
		m.offers.Inc()
	case int(e) > 0 && int(e) < len(outcomes):
		m.outcomes.WithLabelValues(outcomes[e]).Inc()
	}
}

// Accepted counts an offer accepted after the conversation waited wait since its handoff.
func (m *Metrics) Accepted(wait time.Duration) {
	m.accepted.Inc()
	m.timeToAccept.Observe(wait.Seconds())
}

// NoticeLag observes how long after its writing a routing notice was read here.
func (m *Metrics) NoticeLag(d time.Duration) { m.noticeLag.Observe(max(d, 0).Seconds()) }

// QueueLength sets how relais_queue_length is read at each scrape (nil: not reported). A
// failing read leaves the metric out of that scrape.
func (m *Metrics) QueueLength(f func(ctx context.Context) (int64, error)) {
	if f == nil {
		m.queue.read.Store(nil)
		return
	}
	m.queue.read.Store(&f)
}

// queueCollector reads the queue's length when scraped.
type queueCollector struct {
	desc *prometheus.Desc
	read atomic.Pointer[func(ctx context.Context) (int64, error)]
}

func (q *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- q.desc }

func (q *queueCollector) Collect(ch chan<- prometheus.Metric) {
	f := q.read.Load()
	if f == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if n, err := (*f)(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(q.desc, prometheus.GaugeValue, float64(n))
	}
}
