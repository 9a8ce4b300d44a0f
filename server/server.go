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
	"github.com/relais/relais/store"
)

// Bot answers customers: the dialog engine, or a fake in tests.
type Bot interface {
	// Start opens the conversation: the welcome.
	Start(ctx context.Context, conversationID string) (dialog.Turn, error)
	// Handle answers one customer message.
	Handle(ctx context.Context, conversationID, text string) (dialog.Turn, error)
}

// Queue receives the conversations the bot hands over to agents (package handoff). The
// conversation is already marked queued and its handoff recorded when Enqueue is called.
type Queue interface {
	Enqueue(ctx context.Context, conversationID string, h dialog.Handoff) error
}

// Deps are what the server uses and does not own.
type Deps struct {
	Store       *store.Store
	Bot         Bot
	Logger      *slog.Logger // nil: discard
	Static      fs.FS        // the web assets; the server serves its web/ folder at /
	Queue       Queue        // nil until the agent queue exists
	QueueLength QueueLength  // nil until the agent queue exists
	// Router and Accounts are the agent side (package handoff). With a Router, the server
	// queues handed-over conversations itself (unless Queue is set), runs the sweeper and the
	// notice readers, and serves the agent endpoints; without, those answer 503.
	Router   *handoff.Router
	Accounts *handoff.Accounts
}

// Server is Relais's HTTP server.
type Server struct {
	cfg          Config
	store        *store.Store
	conv         *conversation.Store
	hub          *conversation.Hub
	bot          Bot
	queue        Queue
	queueLength  QueueLength
	log          *slog.Logger
	static       fs.FS
	echo         *echo.Echo
	metrics      *metrics
	sockets      sockets
	agents       *agents // nil without a Router
	records      *desk.Desk
	known        *knownSessions
	proxies      []*net.IPNet // the trusted proxies
	socketsPerIP *perAddress  // open websockets per client address
	closeOnce    sync.Once
}

// New checks cfg and builds the server. Close releases what it holds.
func New(cfg Config, deps Deps) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Store == nil || deps.Bot == nil {
		return nil, errors.New("server: Store et Bot sont requis")
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	conv := conversation.NewStore(deps.Store, conversation.Options{
		TTL:               cfg.ConversationTTL,
		MessagesPerWindow: cfg.MessagesPerConversation,
		RateWindow:        cfg.RateWindow,
		MaxEvents:         cmp.Or(cfg.MaxEvents, -1),
		Replicas:          store.Replicas{MinReplicas: cfg.RedisMinReplicas, Timeout: cfg.RedisReplicaTimeout},
	})
	s := &Server{
		cfg: cfg, store: deps.Store, conv: conv, bot: deps.Bot, queue: deps.Queue,
		queueLength: deps.QueueLength, log: deps.Logger, static: deps.Static, metrics: newMetrics(),
		known: newKnownSessions(), proxies: parseCIDRs(cfg.TrustedProxies), socketsPerIP: newPerAddress(cfg.SocketsPerIP),
		hub: conversation.NewHub(conv, deps.Logger, cfg.SafetyPoll), records: desk.New(deps.Store, nil).WithIndexTTL(cfg.ConversationTTL),
	}
	s.sockets.m = map[*socket]struct{}{}
	if deps.Router != nil {
		if deps.Accounts == nil {
			return nil, errors.New("server: Accounts est requis avec Router")
		}
		s.agents = newAgents(deps.Router, deps.Accounts)
		if s.queue == nil {
			s.queue = routerQueue{s}
		}
		if s.queueLength == nil {
			s.queueLength = deps.Router.Length
		}
		if err := s.startAgents(); err != nil {
			return nil, err
		}
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
	api.POST("/conversations", s.createConversation)
	api.POST("/conversations/:id/messages", s.postMessage)
	api.GET("/conversations/:id/events", s.listEvents)
	api.GET("/conversations/:id/ws", s.openSocket)
	api.POST("/conversations/:id/leave", s.leaveConversation)
	api.POST("/conversations/:id/typing", s.customerTyping)
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
	if s.agents != nil {
		wg.Go(func() { s.agents.closeAll(sctx) })
	}
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

// Close stops the server's background work (the Hub). Call it after Serve returns.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		if s.agents != nil {
			s.agents.stop()
		}
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
