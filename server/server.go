package server

import (
	"cmp"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/dialog"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/handoff/desk"
	rmetrics "github.com/relais/relais/metrics"
	"github.com/relais/relais/privacy"
	"github.com/relais/relais/relay"
	"github.com/relais/relais/store"
)

// Deps are what the server uses and does not own.
type Deps struct {
	Store  *store.Store
	Bot    relay.Bot    // the dialog engine on Redis sessions, or a fake in tests
	Logger *slog.Logger // nil: discard
	Static fs.FS        // the web assets; the server serves its web/ folder at /
	// Router and Accounts are the agent side (package handoff). With a Router, handed-over
	// conversations enter its queue, the sweeper and the notice readers run, and the agent
	// endpoints are served; without, those answer 503.
	Router   *handoff.Router
	Accounts *handoff.Accounts
}

// Server is Relais's HTTP server.
type Server struct {
	cfg          Config
	store        *store.Store
	conv         *conversation.Store
	hub          *conversation.Hub
	relay        *relay.Relay
	audit        *privacy.Audit // the agents' actions on personal data (audit.go)
	privacy      *privacy.Service
	bot          relay.Bot
	queueLength  func(ctx context.Context) (int64, error) // nil without a Router
	log          *slog.Logger
	static       fs.FS
	echo         *echo.Echo
	metrics      *metrics
	sockets      sockets
	agents       *agents // nil without a Router
	records      *desk.Desk
	proxies      []*net.IPNet // the trusted proxies
	socketsPerIP *perAddress  // open websockets per client address
	closeOnce    sync.Once
}

// New checks cfg and builds the server. Close releases what it holds.
func New(cfg Config, deps Deps) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Store == nil {
		return nil, errors.New("server: Store est requis")
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	// Conversation and desk writes count once these replicas have them.
	replicas := cfg.Replicas()
	conv := conversation.NewStore(deps.Store, conversation.Options{
		TTL:               cfg.ConversationTTL,
		MessagesPerWindow: cfg.MessagesPerConversation,
		RateWindow:        cfg.RateWindow,
		MaxEvents:         cmp.Or(cfg.MaxEvents, -1),
		Replicas:          replicas,
	})
	s := &Server{
		cfg: cfg, store: deps.Store, conv: conv, bot: deps.Bot, log: deps.Logger, static: deps.Static, metrics: newMetrics(),
		proxies: parseCIDRs(cfg.TrustedProxies), socketsPerIP: newPerAddress(cfg.SocketsPerIP),
		hub: conversation.NewHub(conv, deps.Logger, cfg.SafetyPoll), records: desk.New(deps.Store, nil).WithIndexTTL(cfg.ConversationTTL).WithReplicas(replicas),
	}
	s.sockets.m = map[*socket]struct{}{}
	privacySvc := privacy.New(deps.Store, privacy.Options{AuditRetention: cfg.AuditRetention, Router: deps.Router})
	s.audit, s.privacy = privacySvc.Audit, privacySvc
	var err error
	s.relay, err = relay.New(relay.Deps{Store: deps.Store, Conversations: conv, Hub: s.hub, Bot: deps.Bot, Desk: s.records,
		Router: deps.Router, Accounts: deps.Accounts, Logger: deps.Logger, Observer: observer{s.metrics},
		Privacy: privacySvc},
		relay.Options{BotTimeout: cfg.BotTimeout, WriteTimeout: cfg.WriteTimeout, ConversationTTL: cfg.ConversationTTL,
			NoticeClaim: cfg.NoticeClaim, SweepInterval: cfg.SweepInterval})
	if err != nil {
		return nil, err
	}
	if deps.Router != nil {
		s.agents = newAgents(deps.Router, deps.Accounts)
		s.agents.queue.read = s.queueEnvelope
		s.queueLength = deps.Router.Length
	}
	s.echo = s.routes()
	return s, nil
}

// routes is the one route table.
func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = ipExtractor(s.cfg.TrustedProxies)
	e.Pre(s.cors) // before routing: preflight requests have no route of their own
	e.Use(s.securityHeaders, s.observe, s.recoverPanics, s.bodyDeadline)

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	if s.cfg.MetricsAddr == "" {
		e.GET("/metrics", s.serveMetrics)
	}
	e.GET("/api/openapi.yaml", s.openAPI)

	api := e.Group("/api/v1", s.limitIP)
	api.GET("/limits", s.customerLimits)
	api.POST("/conversations", s.createConversation)
	api.POST("/conversations/:id/messages", s.postMessage)
	api.GET("/conversations/:id/events", s.listEvents)
	api.GET("/conversations/:id/ws", s.openSocket)
	api.POST("/conversations/:id/leave", s.leaveConversation)
	api.DELETE("/conversations/:id", s.forgetConversation)
	api.POST("/conversations/:id/typing", s.customerTyping)
	api.POST("/conversations/:id/attachments", s.postAttachment)
	api.GET("/conversations/:id/attachments/:aid", s.getAttachment)
	api.POST("/agent/login", s.agentLogin, s.sameOrigin)
	api.POST("/agent/logout", s.agentLogout, s.sameOrigin)
	api.GET("/agent/me", s.agentMe, s.sameOrigin)
	api.GET("/agent/ws", s.openAgentSocket, s.sameOrigin)
	s.deskRoutes(api)

	if s.static != nil {
		e.StaticFS("/", echo.MustSubFS(s.static, "web"))
		e.FileFS("/desk", "web/desk.html", s.static)
	}
	return e
}

// ipExtractor believes X-Forwarded-For only from the trusted proxies; with none, the client is
// the peer address (a customer cannot pick the address its rate limit counts against).
func ipExtractor(trusted []string) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, ipnet := range parseCIDRs(trusted) {
		opts = append(opts, echo.TrustIPRange(ipnet))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

func parseCIDRs(cidrs []string) []*net.IPNet {
	out := make([]*net.IPNet, 0, len(cidrs))
	for _, cidr := range cidrs {
		_, ipnet, _ := net.ParseCIDR(cidr) // checked by Validate
		out = append(out, ipnet)
	}
	return out
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.echo }

// Serve serves on ln until ctx ends, then shuts down gracefully: it stops accepting, closes
// the websockets with "going away" (clients resume elsewhere with after=), lets running
// requests finish, and returns within the shutdown timeout.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	bctx, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	waitBackground, err := s.runBackground(bctx)
	defer func() { stopBackground(); waitBackground() }()
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	limited := &limitListener{Listener: ln, conns: newPerAddress(s.cfg.ConnectionsPerIP), trusted: s.trusted}
	go func() { errc <- hs.Serve(limited) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("arrêt en cours : fermeture des websockets et fin des requêtes")
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	var wg sync.WaitGroup
	var shutdownErr error
	wg.Go(func() { shutdownErr = hs.Shutdown(sctx) })
	wg.Go(func() { s.sockets.closeAll(sctx) })
	wg.Wait()
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if shutdownErr != nil {
		hs.Close()
		return shutdownErr
	}
	return nil
}

// Close releases the Hub's pub/sub connection (Serve stops the Hub when it returns; a server
// that never served holds it too). Call it after Serve returns.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		err = s.hub.Close()
	})
	return err
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		return apperr.Wrap(apperr.Unavailable, "Le stockage (Redis) ne répond pas.", err)
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// observer gives the relay's turns and routing notices to the metrics.
type observer struct{ m *metrics }

func (o observer) ObserveTurn(t dialog.Turn) { o.m.observeTurn(t) }

func (o observer) ObserveNotice(n handoff.Notice, lag time.Duration) {
	o.m.m.NoticeLag(lag)
	switch n.Kind {
	case handoff.NoticeOffered:
		o.m.m.Offer(rmetrics.OfferMade)
	case handoff.NoticeOfferExpired:
		o.m.m.Offer(rmetrics.OfferExpired)
	case handoff.NoticeOfferRejected:
		o.m.m.Offer(rmetrics.OfferRejected)
	case handoff.NoticeOfferWithdrawn:
		o.m.m.Offer(rmetrics.OfferWithdrawn)
	}
}

func (o observer) ObserveAssigned(wait time.Duration) { o.m.m.Accepted(wait) }
