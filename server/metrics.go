package server

import (
	"crypto/subtle"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/dialog"
	rmetrics "github.com/relais/relais/metrics"
)

// metrics are the server's metrics, on package metrics's registry (sockets count themselves
// there: socket.go). The counter field keeps the call sites' s.metrics.x.Add(n).
type metrics struct {
	m       *rmetrics.Metrics
	handler http.Handler

	socketsReset counter // told to reload: the store was behind them (a failover)

	bindOnce sync.Once
}

// counter is one counter of package metrics.
type counter func()

func (c counter) Add(n uint64) {
	for range n {
		c()
	}
}

func newMetrics() *metrics {
	m := rmetrics.New()
	return &metrics{m: m, handler: m.Handler(), socketsReset: m.SocketReset}
}

func (m *metrics) observeRequest(route, method string, status int, took time.Duration) {
	m.m.Request(route, method, status, took)
}

func (m *metrics) observeTurn(t dialog.Turn) {
	m.m.Turn(t.Intent, t.Understood, t.Handoff != nil)
}

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
	s.metrics.bindOnce.Do(func() {
		if s.queueLength != nil {
			s.metrics.m.QueueLength(s.queueLength)
		}
	})
	s.metrics.handler.ServeHTTP(c.Response(), c.Request())
	return nil
}
