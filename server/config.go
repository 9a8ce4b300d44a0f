package server

import (
	"github.com/relais/relais/store"

	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/relais/relais/handoff"
)

// Config is the server's configuration, filled from the environment by the command line and
// checked once by Validate.
type Config struct {
	Addr            string        // listen address (ADDR), used by the command line
	AllowedOrigins  []string      // sites that may call the API and open websockets (RELAIS_ALLOWED_ORIGINS)
	SessionTTL      time.Duration // idle expiry of dialog sessions (RELAIS_SESSION_TTL), for the bot
	OfferTimeout    time.Duration // how long an agent has to accept an offer (RELAIS_OFFER_TIMEOUT)
	ConversationTTL time.Duration // a conversation is forgotten this long after its last event
	TrustedProxies  []string      // CIDRs whose X-Forwarded-For is believed; none: the peer address is the client
	IdentitySecret  string        // key of the signed customer identities (RELAIS_IDENTITY_SECRET); "": identities refused
	IdentityMaxAge  time.Duration // the longest an identity may still be valid when received (RELAIS_IDENTITY_MAX_AGE)

	// PublicURL is the server's address as browsers see it (RELAIS_PUBLIC_URL, e.g.
	// https://relais.example.fr): an https one makes the desk cookie Secure, and it is the
	// only origin the desk's requests may come from. "": the request's own host, over https
	// when the connection is TLS or a trusted proxy says so.
	PublicURL string
	// MetricsAddr (RELAIS_METRICS_ADDR) moves /metrics to its own listener, served by the
	// command line; MetricsToken (RELAIS_METRICS_TOKEN) asks for it as a bearer token. With
	// neither, /metrics answers local connections only.
	MetricsAddr  string
	MetricsToken string

	MaxMessageLength        int           // characters of a customer message (2,000)
	MessagesPerConversation int           // customer messages per conversation per RateWindow; 0: no limit
	RequestsPerIP           int           // API requests per client address per RateWindow; 0: no limit
	ConversationsPerIP      int           // conversations opened per client address per RateWindow; 0: no limit
	RateWindow              time.Duration // the window of the rate limits
	ConnectionsPerIP        int           // open TCP connections per peer address, trusted proxies apart (RELAIS_CONNECTIONS_PER_IP); 0: no limit
	SocketsPerIP            int           // open websockets (customers' and agents') per client address (RELAIS_WEBSOCKETS_PER_IP); 0: no limit
	BodyTimeout             time.Duration // a request body must arrive within it (RELAIS_BODY_TIMEOUT)
	// Attachments (RELAIS_ATTACHMENT_MAX_BYTES, RELAIS_ATTACHMENT_QUOTA_BYTES,
	// RELAIS_ATTACHMENT_QUOTA_FILES): the largest file, and the most bytes and files one
	// conversation receives, from the customer and the agents together.
	AttachmentMaxBytes   int
	AttachmentQuotaBytes int
	AttachmentQuotaFiles int
	// MaxEvents caps the events of one conversation (RELAIS_CONVERSATION_MAX_EVENTS, 2,000):
	// the write that would pass it ends the conversation with a message to the customer.
	MaxEvents int
	// RedisMinReplicas (RELAIS_REDIS_MIN_REPLICAS): a conversation's write is acknowledged
	// only once this many replicas have it (WAIT), within RedisReplicaTimeout
	// (RELAIS_REDIS_REPLICA_TIMEOUT), else 503. 0: no wait.
	RedisMinReplicas    int
	RedisReplicaTimeout time.Duration

	PingInterval    time.Duration // websocket pings
	WriteTimeout    time.Duration // deadline of every websocket write: a client that takes none in time is dropped
	SocketBuffer    int           // messages waiting for a desk websocket's writer: past it the desk is closed
	SafetyPoll      time.Duration // websockets re-read their stream at least this often
	ShutdownTimeout time.Duration // graceful shutdown ends within it
	BotTimeout      time.Duration // deadline of one bot turn
	SweepInterval   time.Duration // how often each instance applies the routing deadlines
	AgentHeartbeat  time.Duration // agent sockets renew their lease and re-check their session this often (RELAIS_AGENT_HEARTBEAT)
	// AgentLease is how long a desk socket counts without a heartbeat (RELAIS_AGENT_LEASE),
	// given to the router (handoff.Options.SocketLease) by the command line: the sockets of a
	// process that died stop counting, and stop receiving offers, within it.
	AgentLease time.Duration
	// AuditRetention is how long the privacy audit trail keeps an entry
	// (RELAIS_RETENTION_AUDIT; 0: privacy.DefaultAuditRetention): a customer's erasure of
	// their own conversation writes one.
	AuditRetention time.Duration
	NoticeClaim    time.Duration // a routing notice left unacknowledged this long by an instance is taken over by another
}

// minIdentitySecret is the shortest identity secret accepted: an HMAC key that can be
// guessed signs anybody in.
const minIdentitySecret = 16

// DefaultConfig returns the defaults that docs/configuration.md lists.
func DefaultConfig() Config {
	return Config{
		Addr:                    ":8080",
		SessionTTL:              30 * time.Minute,
		OfferTimeout:            handoff.DefaultOfferTimeout,
		ConversationTTL:         7 * 24 * time.Hour,
		MaxMessageLength:        2000,
		MessagesPerConversation: 30,
		RequestsPerIP:           600,
		ConversationsPerIP:      30,
		RateWindow:              time.Minute,
		ConnectionsPerIP:        100,
		SocketsPerIP:            50,
		BodyTimeout:             10 * time.Second,
		MaxEvents:               2000,
		AttachmentMaxBytes:      5_000_000,
		AttachmentQuotaBytes:    20_000_000,
		AttachmentQuotaFiles:    20,
		RedisReplicaTimeout:     time.Second,
		IdentityMaxAge:          24 * time.Hour,
		PingInterval:            25 * time.Second,
		WriteTimeout:            10 * time.Second,
		SocketBuffer:            256,
		SafetyPoll:              30 * time.Second,
		ShutdownTimeout:         10 * time.Second,
		BotTimeout:              10 * time.Second,
		SweepInterval:           500 * time.Millisecond,
		AgentHeartbeat:          2 * time.Second,
		AgentLease:              6 * time.Second,
		NoticeClaim:             30 * time.Second,
	}
}

// Validate reports every mistake in c at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	for _, o := range c.AllowedOrigins {
		if o == "*" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || (u.Path != "" && u.Path != "/") {
			bad("RELAIS_ALLOWED_ORIGINS : %q n'est pas une origine (https://exemple.fr)", o)
		}
	}
	for _, p := range c.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil {
			bad("proxy de confiance %q : plage CIDR attendue (10.0.0.0/8)", p)
		}
	}
	positive := map[string]time.Duration{
		"RELAIS_SESSION_TTL": c.SessionTTL, "RELAIS_OFFER_TIMEOUT": c.OfferTimeout,
		"durée de conservation": c.ConversationTTL, "fenêtre des limites": c.RateWindow,
		"intervalle de ping": c.PingInterval, "délai d'écriture": c.WriteTimeout,
		"relecture de sécurité": c.SafetyPoll,
		"délai d'arrêt":         c.ShutdownTimeout, "délai du bot": c.BotTimeout,
		"intervalle de balayage": c.SweepInterval, "RELAIS_AGENT_HEARTBEAT": c.AgentHeartbeat,
		"reprise des notifications": c.NoticeClaim,
		"RELAIS_BODY_TIMEOUT":       c.BodyTimeout, "RELAIS_IDENTITY_MAX_AGE": c.IdentityMaxAge,
		"RELAIS_AGENT_LEASE": c.AgentLease,
	}
	for name, d := range positive {
		if d <= 0 {
			bad("%s : durée positive attendue, reçu %s", name, d)
		}
	}
	if c.IdentitySecret != "" && len(c.IdentitySecret) < minIdentitySecret {
		bad("RELAIS_IDENTITY_SECRET : %d octets au moins attendus", minIdentitySecret)
	}
	if c.MaxMessageLength <= 0 || c.SocketBuffer <= 0 {
		bad("longueur maximale des messages et tampon des websockets : valeurs positives attendues")
	}
	if c.AttachmentMaxBytes <= 0 || c.AttachmentQuotaBytes <= 0 || c.AttachmentQuotaFiles <= 0 {
		bad("RELAIS_ATTACHMENT_MAX_BYTES, RELAIS_ATTACHMENT_QUOTA_BYTES, RELAIS_ATTACHMENT_QUOTA_FILES : nombres positifs attendus")
	} else if c.AttachmentMaxBytes > c.AttachmentQuotaBytes {
		bad("RELAIS_ATTACHMENT_MAX_BYTES (%d) : pas plus que le quota d'une conversation (RELAIS_ATTACHMENT_QUOTA_BYTES, %d)", c.AttachmentMaxBytes, c.AttachmentQuotaBytes)
	}
	if c.MaxEvents != 0 && c.MaxEvents < 20 {
		bad("RELAIS_CONVERSATION_MAX_EVENTS (%d) : 20 au moins, ou 0 pour ne pas limiter", c.MaxEvents)
	}
	if c.RedisMinReplicas > 0 && c.RedisReplicaTimeout <= 0 {
		bad("RELAIS_REDIS_REPLICA_TIMEOUT : une durée positive est attendue avec RELAIS_REDIS_MIN_REPLICAS")
	}
	if c.MessagesPerConversation < 0 || c.RequestsPerIP < 0 || c.ConversationsPerIP < 0 ||
		c.ConnectionsPerIP < 0 || c.SocketsPerIP < 0 {
		bad("limites de débit et de connexions : 0 (sans limite) ou un nombre positif attendu")
	}
	if c.AgentLease > 0 && c.AgentLease < 2*c.AgentHeartbeat {
		bad("RELAIS_AGENT_LEASE (%s) : au moins deux battements des agents (RELAIS_AGENT_HEARTBEAT, %s) attendus", c.AgentLease, c.AgentHeartbeat)
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			bad("RELAIS_PUBLIC_URL : %q n'est pas une adresse http(s) complète (https://relais.exemple.fr)", c.PublicURL)
		}
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < minIdentitySecret {
		bad("RELAIS_METRICS_TOKEN : %d caractères au moins attendus", minIdentitySecret)
	}
	return errors.Join(errs...)
}

// publicOrigin is PublicURL's scheme://host, "" without one.
func (c Config) publicOrigin() string {
	if c.PublicURL == "" {
		return ""
	}
	u, _ := url.Parse(c.PublicURL) // checked by Validate
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

// originPatterns turns allowed origins into coder/websocket patterns (scheme://host).
func originPatterns(origins []string) []string {
	out := make([]string, 0, len(origins))
	for _, o := range origins {
		out = append(out, strings.TrimSuffix(o, "/"))
	}
	return out
}

// Replicas is what a write waits for before it counts (RELAIS_REDIS_MIN_REPLICAS,
// RELAIS_REDIS_REPLICA_TIMEOUT): conversation, desk and routing writes alike.
func (c Config) Replicas() store.Replicas {
	return store.Replicas{MinReplicas: c.RedisMinReplicas, Timeout: c.RedisReplicaTimeout}
}
