package cli

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/relais/relais/dialog"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/relay"
	"github.com/relais/relais/server"
	"github.com/relais/relais/static"
	"github.com/relais/relais/store"
)

// The dialog engine is the server's bot.
var _ relay.Bot = (*dialog.Engine)(nil)

// runServe is `relais serve`: the listener first (its address printed at once), then the
// store, the bot and the server, until SIGTERM or SIGINT.
func runServe(env *Env, args []string) error {
	fs := newFlags(env, "serve", "serve [--addr ADRESSE] [--bot DIR]")
	addr := fs.String("addr", "", "adresse d'écoute (défaut : ADDR, sinon :8080)")
	bot := fs.String("bot", "", "dossier du bot (défaut : RELAIS_BOT_DIR, sinon le bot intégré)")
	if rest, err := parse(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usageError{fmt.Sprintf("argument inattendu %q", rest[0])}
	}
	if *bot != "" {
		getenv := env.Getenv
		env.Getenv = func(k string) string {
			if k == "RELAIS_BOT_DIR" {
				return *bot
			}
			return getenv(k)
		}
	}
	cfg, err := serveConfig(env, *addr)
	if err != nil {
		return err
	}
	log := serveLogger(env)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	fmt.Fprintf(env.Stdout, "relais : à l'écoute sur http://%s\n", ln.Addr())
	st, err := openStore(env, env.Getenv("REDIS_URL"), log)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := migrateDesk(env, st, log); err != nil {
		return err
	}
	b, err := newBot(env.Ctx, env, st, cfg.SessionTTL)
	if err != nil {
		return err
	}
	w, err := Wire(cfg, st, b, log, handoff.AccountOptions{})
	if err != nil {
		return err
	}
	srv := w.Server
	defer srv.Close()
	if st.Embedded {
		if err := addDemoAgent(env, w.Accounts); err != nil {
			return err
		}
	}
	if pprofAddr := env.Getenv("RELAIS_PPROF_ADDR"); pprofAddr != "" {
		go servePprof(pprofAddr, log)
	}
	if cfg.MetricsAddr != "" {
		if err := serveMetrics(env, cfg.MetricsAddr, srv, log); err != nil {
			return err
		}
	}
	if err := startPurge(env, st, log); err != nil {
		return err
	}
	log.Info("serveur prêt", "addr", ln.Addr().String(), "embedded_store", st.Embedded)
	return srv.Serve(env.Ctx, ln)
}

// Wired is the server as `relais serve` runs it, with the parts a caller may need again.
type Wired struct {
	Server   *server.Server
	Router   *handoff.Router
	Accounts *handoff.Accounts
}

// Wire builds the server of `relais serve` on st with bot: the routing queue, the agents'
// accounts (accounts: their options, the zero value in production) and the server with the
// embedded pages. The end-to-end tests start their servers through it.
func Wire(cfg server.Config, st *store.Store, bot relay.Bot, log *slog.Logger, accounts handoff.AccountOptions) (*Wired, error) {
	w := &Wired{
		Router: handoff.NewRouter(st, handoff.Options{OfferTimeout: cfg.OfferTimeout, SocketLease: cfg.AgentLease,
			Replicas: cfg.Replicas()}),
		Accounts: handoff.NewAccounts(st, accounts),
	}
	var err error
	w.Server, err = server.New(cfg, server.Deps{Store: st, Bot: bot, Logger: log, Static: static.FS,
		Router: w.Router, Accounts: w.Accounts})
	return w, err
}

// openStore opens the Redis of url (the embedded one for "") with the key prefix of
// RELAIS_REDIS_PREFIX ("relais:" by default): several deployments, or tests, may share one
// Redis without seeing each other's keys. Every command that opens the store goes through it.
func openStore(env *Env, url string, log *slog.Logger) (*store.Store, error) {
	prefix := env.Getenv("RELAIS_REDIS_PREFIX")
	if strings.ContainsAny(prefix, " \t\n{}*?[]") {
		return nil, fmt.Errorf("RELAIS_REDIS_PREFIX=%q : ni espace, ni accolade, ni caractère de motif (* ? [ ])", prefix)
	}
	st, err := store.Open(env.Ctx, url, log)
	if err != nil {
		return nil, err
	}
	if prefix != "" {
		st.Prefix = prefix
	}
	return st, nil
}

// migrateDesk moves desk records of the layout before the per-person hash tags, if any, to the
// current one before the server serves (stop every instance of the older version first), and
// builds the customers' name index once.
func migrateDesk(env *Env, st *store.Store, log *slog.Logger) error {
	m, err := desk.New(st, nil).MigrateLegacy(env.Ctx)
	if err != nil {
		return fmt.Errorf("migration des fiches du bureau : %w", err)
	}
	if len(m) > 0 {
		log.Info("fiches du bureau migrées : une clé par personne", "migrated", m)
	}
	n, err := desk.New(st, nil).IndexNames(env.Ctx)
	if err != nil {
		return fmt.Errorf("index des noms de clients : %w", err)
	}
	if n > 0 {
		log.Info("noms de clients indexés pour la recherche", "customers", n)
	}
	return nil
}

// addDemoAgent creates the agent "demo" with a random password and prints both, so that a
// newcomer can try the desk at once. Only with the embedded store: its data dies with the
// process, and a real Redis never gets an account nobody asked for.
func addDemoAgent(env *Env, accounts *handoff.Accounts) error {
	pw := handoff.GeneratePassword()
	_, err := accounts.Add(env.Ctx, handoff.NewAgent{Login: "demo", Name: "Camille (démo)", Password: pw})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "relais : agent de démonstration pour /desk : identifiant « demo », mot de passe « %s »\n", pw)
	return nil
}

// servePprof serves Go's profiler on its own address (RELAIS_PPROF_ADDR, e.g.
// 127.0.0.1:6060), never on the public one.
func servePprof(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Warn("profileur actif", "addr", addr)
	if err := http.ListenAndServe(addr, mux); err != nil {
		log.Error("profileur", "err", err)
	}
}

// serveMetrics serves /metrics on its own address (RELAIS_METRICS_ADDR), off the public one,
// until the command ends; the listener is opened first, so a wrong address fails the start.
func serveMetrics(env *Env, addr string, srv *server.Server, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("RELAIS_METRICS_ADDR : %w", err)
	}
	hs := &http.Server{Handler: srv.MetricsHandler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-env.Ctx.Done()
		hs.Close()
	}()
	go hs.Serve(ln)
	log.Info("métriques", "addr", ln.Addr().String())
	return nil
}

// serveConfig reads the server's configuration from the environment and checks it.
func serveConfig(env *Env, addr string) (server.Config, error) {
	cfg := server.DefaultConfig()
	cfg.Addr = firstOf(addr, env.Getenv("ADDR"), cfg.Addr)
	cfg.AllowedOrigins = list(env.Getenv("RELAIS_ALLOWED_ORIGINS"))
	cfg.TrustedProxies = list(env.Getenv("RELAIS_TRUSTED_PROXIES"))
	cfg.IdentitySecret = env.Getenv("RELAIS_IDENTITY_SECRET")
	cfg.PublicURL = env.Getenv("RELAIS_PUBLIC_URL")
	cfg.MetricsAddr = env.Getenv("RELAIS_METRICS_ADDR")
	cfg.MetricsToken = env.Getenv("RELAIS_METRICS_TOKEN")
	var err error
	if cfg.SessionTTL, err = durationEnv(env, "RELAIS_SESSION_TTL", cfg.SessionTTL); err != nil {
		return cfg, err
	}
	if cfg.OfferTimeout, err = durationEnv(env, "RELAIS_OFFER_TIMEOUT", cfg.OfferTimeout); err != nil {
		return cfg, err
	}
	if cfg.ConversationTTL, err = durationEnv(env, "RELAIS_CONVERSATION_TTL", cfg.ConversationTTL); err != nil {
		return cfg, err
	}
	if cfg.BodyTimeout, err = durationEnv(env, "RELAIS_BODY_TIMEOUT", cfg.BodyTimeout); err != nil {
		return cfg, err
	}
	if cfg.IdentityMaxAge, err = durationEnv(env, "RELAIS_IDENTITY_MAX_AGE", cfg.IdentityMaxAge); err != nil {
		return cfg, err
	}
	if cfg.AgentHeartbeat, err = durationEnv(env, "RELAIS_AGENT_HEARTBEAT", cfg.AgentHeartbeat); err != nil {
		return cfg, err
	}
	if cfg.AgentLease, err = durationEnv(env, "RELAIS_AGENT_LEASE", cfg.AgentLease); err != nil {
		return cfg, err
	}
	if cfg.RedisReplicaTimeout, err = durationEnv(env, "RELAIS_REDIS_REPLICA_TIMEOUT", cfg.RedisReplicaTimeout); err != nil {
		return cfg, err
	}
	if cfg.AuditRetention, err = auditRetention(env); err != nil {
		return cfg, err
	}
	limits := []struct {
		name string
		to   *int
	}{
		{"RELAIS_RATE_CONVERSATION", &cfg.MessagesPerConversation},
		{"RELAIS_RATE_IP", &cfg.RequestsPerIP},
		{"RELAIS_RATE_IP_CONVERSATIONS", &cfg.ConversationsPerIP},
		{"RELAIS_CONNECTIONS_PER_IP", &cfg.ConnectionsPerIP},
		{"RELAIS_WEBSOCKETS_PER_IP", &cfg.SocketsPerIP},
		{"RELAIS_CONVERSATION_MAX_EVENTS", &cfg.MaxEvents},
		{"RELAIS_REDIS_MIN_REPLICAS", &cfg.RedisMinReplicas},
	}
	for _, l := range limits {
		if v := env.Getenv(l.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return cfg, fmt.Errorf("%s=%q : nombre entier attendu (0 : sans limite)", l.name, v)
			}
			*l.to = n
		}
	}
	if err := attachmentLimits(env, &cfg); err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

// attachmentLimits reads the attachments' limits, which are never unlimited.
func attachmentLimits(env *Env, cfg *server.Config) error {
	for name, to := range map[string]*int{
		"RELAIS_ATTACHMENT_MAX_BYTES":   &cfg.AttachmentMaxBytes,
		"RELAIS_ATTACHMENT_QUOTA_BYTES": &cfg.AttachmentQuotaBytes,
		"RELAIS_ATTACHMENT_QUOTA_FILES": &cfg.AttachmentQuotaFiles,
	} {
		if v := env.Getenv(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return fmt.Errorf("%s=%q : nombre entier positif attendu", name, v)
			}
			*to = n
		}
	}
	return nil
}

// serveLogger logs JSON on stderr at RELAIS_LOG_LEVEL (debug, info, warn, error; info by default).
func serveLogger(env *Env) *slog.Logger {
	if env.Log != nil {
		return env.Log
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(firstOf(env.Getenv("RELAIS_LOG_LEVEL"), "info"))); err != nil {
		level = slog.LevelInfo
	}
	env.Log = slog.New(slog.NewJSONHandler(env.Stderr, &slog.HandlerOptions{Level: level}))
	return env.Log
}

func list(v string) []string {
	var out []string
	for p := range strings.SplitSeq(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
