package server

import (
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/dialog"
)

// latencyBuckets are the upper bounds (seconds) of the request latency histogram.
var latencyBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// metrics are the server's counters, written in the Prometheus text format by hand.
type metrics struct {
	mu        sync.Mutex
	requests  map[requestKey]uint64
	latencies map[string]*histogram // by route
	intents   map[string]uint64     // bot turns by intent

	notUnderstood atomic.Uint64
	sockets       atomic.Int64
	socketsSlow   atomic.Uint64
	socketsReset  atomic.Uint64 // sockets told to reload: the store was behind them (a failover)
	handoffs      atomic.Uint64
	ahead         atomic.Uint64 // bot turns stored with their message in one round trip
	staleAhead    atomic.Uint64 // answers computed ahead and dropped: the locked path answered
}

type requestKey struct {
	route, method string
	status        int
}

type histogram struct {
	counts []uint64 // one per bucket, then +Inf
	sum    float64
	count  uint64
}

func newMetrics() *metrics {
	return &metrics{
		requests:  map[requestKey]uint64{},
		latencies: map[string]*histogram{},
		intents:   map[string]uint64{},
	}
}

func (m *metrics) observeRequest(route, method string, status int, took time.Duration) {
	secs := took.Seconds()
	i, _ := slices.BinarySearch(latencyBuckets, secs)
	m.mu.Lock()
	m.requests[requestKey{route, method, status}]++
	h := m.latencies[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(latencyBuckets)+1)}
		m.latencies[route] = h
	}
	h.counts[i]++
	h.sum += secs
	h.count++
	m.mu.Unlock()
}

func (m *metrics) observeTurn(t dialog.Turn) {
	intent := t.Intent
	if intent == "" {
		intent = "none"
	}
	m.mu.Lock()
	m.intents[intent]++
	m.mu.Unlock()
	if !t.Understood {
		m.notUnderstood.Add(1)
	}
	if t.Handoff != nil {
		m.handoffs.Add(1)
	}
}

// QueueLength reports how many conversations wait for an agent (package handoff, later).
type QueueLength func(ctx context.Context) (int64, error)

var (
	errMetricsToken = apperr.New(apperr.Unauthorized, "Jeton des métriques manquant ou invalide (Authorization: Bearer).")
	errMetricsLocal = apperr.New(apperr.Forbidden, "Les métriques ne sont servies qu'aux connexions locales : "+
		"définissez RELAIS_METRICS_TOKEN ou RELAIS_METRICS_ADDR pour les lire d'ailleurs.")
)

// serveMetrics is GET /metrics on the public address: with RELAIS_METRICS_TOKEN, for whoever
// shows the token; without, for local connections that no proxy forwarded.
func (s *Server) serveMetrics(c echo.Context) error {
	r := c.Request()
	switch {
	case s.cfg.MetricsToken != "":
		if subtle.ConstantTimeCompare([]byte(bearer(c)), []byte(s.cfg.MetricsToken)) != 1 {
			return errMetricsToken
		}
	case !peerIP(r.RemoteAddr).IsLoopback() || r.Header.Get(echo.HeaderXForwardedFor) != "" ||
		r.Header.Get("Forwarded") != "":
		return errMetricsLocal
	}
	return s.writeMetrics(c)
}

// MetricsHandler serves GET /metrics alone, with no check: for its own private address
// (RELAIS_METRICS_ADDR).
func (s *Server) MetricsHandler() http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.GET("/metrics", s.writeMetrics)
	return e
}

func (s *Server) writeMetrics(c echo.Context) error {
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "text/plain; version=0.0.4; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	s.metrics.write(w)
	if s.queueLength != nil {
		n, err := s.queueLength(c.Request().Context())
		if err == nil {
			fmt.Fprintf(w, "# HELP relais_queue_length Conversations waiting for an agent.\n# TYPE relais_queue_length gauge\nrelais_queue_length %d\n", n)
		}
	}
	return nil
}

func (m *metrics) write(w io.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprint(w, "# HELP relais_http_requests_total HTTP requests by route, method and status.\n# TYPE relais_http_requests_total counter\n")
	keys := make([]requestKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b requestKey) int {
		if a.route != b.route {
			return strings.Compare(a.route, b.route)
		}
		if a.method != b.method {
			return strings.Compare(a.method, b.method)
		}
		return a.status - b.status
	})
	for _, k := range keys {
		fmt.Fprintf(w, "relais_http_requests_total{route=%q,method=%q,status=\"%d\"} %d\n", k.route, k.method, k.status, m.requests[k])
	}
	fmt.Fprint(w, "# HELP relais_http_request_duration_seconds HTTP request latency by route.\n# TYPE relais_http_request_duration_seconds histogram\n")
	for _, route := range sortedKeys(m.latencies) {
		h := m.latencies[route]
		var cum uint64
		for i, le := range latencyBuckets {
			cum += h.counts[i]
			fmt.Fprintf(w, "relais_http_request_duration_seconds_bucket{route=%q,le=%q} %d\n", route, strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		fmt.Fprintf(w, "relais_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", route, h.count)
		fmt.Fprintf(w, "relais_http_request_duration_seconds_sum{route=%q} %g\n", route, h.sum)
		fmt.Fprintf(w, "relais_http_request_duration_seconds_count{route=%q} %d\n", route, h.count)
	}
	fmt.Fprint(w, "# HELP relais_bot_turns_total Bot turns by classified intent (none: no intent).\n# TYPE relais_bot_turns_total counter\n")
	for _, intent := range sortedKeys(m.intents) {
		fmt.Fprintf(w, "relais_bot_turns_total{intent=%q} %d\n", intent, m.intents[intent])
	}
	fmt.Fprintf(w, "# HELP relais_bot_not_understood_total Bot turns where the customer was not understood (rate: divide by relais_bot_turns_total).\n# TYPE relais_bot_not_understood_total counter\nrelais_bot_not_understood_total %d\n", m.notUnderstood.Load())
	fmt.Fprintf(w, "# HELP relais_handoffs_total Conversations the bot handed to the agent queue.\n# TYPE relais_handoffs_total counter\nrelais_handoffs_total %d\n", m.handoffs.Load())
	fmt.Fprintf(w, "# HELP relais_bot_turns_ahead_total Bot turns answered on the session this process knew and stored with the message in one round trip.\n# TYPE relais_bot_turns_ahead_total counter\nrelais_bot_turns_ahead_total %d\n", m.ahead.Load())
	fmt.Fprintf(w, "# HELP relais_bot_turns_ahead_stale_total Answers computed ahead and dropped because the conversation changed meanwhile (answered again under the lock).\n# TYPE relais_bot_turns_ahead_stale_total counter\nrelais_bot_turns_ahead_stale_total %d\n", m.staleAhead.Load())
	fmt.Fprintf(w, "# HELP relais_websockets_active Open customer websockets on this instance.\n# TYPE relais_websockets_active gauge\nrelais_websockets_active %d\n", m.sockets.Load())
	fmt.Fprintf(w, "# HELP relais_websockets_slow_closed_total Websockets closed because the client could not keep up.\n# TYPE relais_websockets_slow_closed_total counter\nrelais_websockets_slow_closed_total %d\n", m.socketsSlow.Load())
	fmt.Fprintf(w, "# HELP relais_websockets_reset_total Websockets told to reload their conversation because the store was behind them (a Redis failover lost events).\n# TYPE relais_websockets_reset_total counter\nrelais_websockets_reset_total %d\n", m.socketsReset.Load())
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
