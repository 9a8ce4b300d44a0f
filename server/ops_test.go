package server_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/server"
)

// metric reads one unlabelled value from /metrics.
func metric(t testing.TB, in *instance, name string) float64 {
	t.Helper()
	_, _, body := call(t, "GET", in.url+"/metrics", "", "")
	for line := range strings.Lines(string(body)) {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatalf("metric %s not found in %s", name, body)
	return 0
}

func TestRateLimits(t *testing.T) {
	tests := []struct {
		name  string
		set   func(*server.Config)
		steps int // successful messages before the 429
	}{
		{name: "per conversation", set: func(c *server.Config) { c.MessagesPerConversation = 3 }, steps: 3},
		{name: "per address", set: func(c *server.Config) { c.RequestsPerIP = 5 }, steps: 4}, // the creation counts
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			tt.set(&cfg)
			in := startOne(t, cfg)
			c := in.open(t)
			for range tt.steps {
				in.say(t, c, "bonjour")
			}
			status, h, body := call(t, "POST", in.url+"/api/v1/conversations/"+c.ID+"/messages", c.Token, `{"text":"encore"}`)
			if status != http.StatusTooManyRequests {
				t.Fatalf("got %d %s, want 429", status, body)
			}
			if ra, err := strconv.Atoi(h.Get("Retry-After")); err != nil || ra < 1 || ra > 60 {
				t.Fatalf("Retry-After: got %q, want 1..60 seconds", h.Get("Retry-After"))
			}
			if e := decode[errorBody](t, body); e.Error.Code != "too_many" {
				t.Fatalf("got %+v, want too_many", e)
			}
		})
	}
}

func TestConversationsPerAddress(t *testing.T) {
	cfg := testConfig()
	cfg.ConversationsPerIP = 2
	in := startOne(t, cfg)
	in.open(t)
	in.open(t)
	status, h, _ := call(t, "POST", in.url+"/api/v1/conversations", "", "")
	if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
		t.Fatalf("third conversation: got %d (Retry-After %q), want 429 with Retry-After", status, h.Get("Retry-After"))
	}
}

func TestOperationalEndpoints(t *testing.T) {
	in := startOne(t, testConfig())
	c := in.open(t)
	in.say(t, c, "bonjour")
	tests := []struct {
		name, path string
		method     string // GET when empty
		status     int
		contains   []string
	}{
		{name: "healthz", path: "/healthz", status: 200, contains: []string{`"ok"`}},
		{name: "readyz", path: "/readyz", status: 200, contains: []string{`"ok"`}},
		{name: "metrics", path: "/metrics", status: 200, contains: []string{
			`relais_http_requests_total{method="POST",route="/api/v1/conversations/:id/messages",status="200"} 1`,
			`relais_http_request_duration_seconds_bucket{route="/api/v1/conversations",le="+Inf"} 1`,
			`relais_bot_turns_total{intent="echo"} 1`,
			"relais_bot_not_understood_total 0",
			"relais_websockets_active 0",
			"go_goroutines ",
			"process_cpu_seconds_total ",
		}},
		{name: "openapi", path: "/api/openapi.yaml", status: 200, contains: []string{"openapi: 3"}},
		{name: "demo page", path: "/", status: 200, contains: []string{"Démo"}},
		{name: "widget", path: "/widget.js", status: 200, contains: []string{"widget"}},
		{name: "unknown page", path: "/nope", status: 404, contains: []string{`"not_found"`}},
		{name: "unknown API route", path: "/api/v1/nope", status: 404, contains: []string{`"not_found"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = "GET"
			}
			status, _, body := call(t, method, in.url+tt.path, "", "")
			if status != tt.status {
				t.Fatalf("got %d %s, want %d", status, body, tt.status)
			}
			for _, s := range tt.contains {
				if !strings.Contains(string(body), s) {
					t.Errorf("body lacks %s:\n%s", s, body)
				}
			}
		})
	}
}

func TestCORS(t *testing.T) {
	cfg := testConfig()
	cfg.AllowedOrigins = []string{"https://boutique.example", "https://*.marque.example"}
	in := startOne(t, cfg)
	tests := []struct {
		name, origin string
		allowed      bool
	}{
		{name: "listed", origin: "https://boutique.example", allowed: true},
		{name: "wildcard", origin: "https://www.marque.example", allowed: true},
		{name: "other", origin: "https://pirate.example", allowed: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, _ := call(t, "OPTIONS", in.url+"/api/v1/conversations/x/messages", "", "",
				"Origin", tt.origin, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type")
			got := h.Get("Access-Control-Allow-Origin")
			if tt.allowed && (status != http.StatusNoContent || got != tt.origin || !strings.Contains(h.Get("Access-Control-Allow-Headers"), "Idempotency-Key")) {
				t.Fatalf("preflight: got %d %q %v, want 204 allowing %s", status, got, h, tt.origin)
			}
			if !tt.allowed && got != "" {
				t.Fatalf("preflight: got Allow-Origin %q, want none", got)
			}
		})
	}
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name string
		set  func(*server.Config)
		ok   bool
	}{
		{name: "defaults", set: func(*server.Config) {}, ok: true},
		{name: "origin without scheme", set: func(c *server.Config) { c.AllowedOrigins = []string{"boutique.example"} }},
		{name: "origin with a path", set: func(c *server.Config) { c.AllowedOrigins = []string{"https://boutique.example/chat"} }},
		{name: "any origin", set: func(c *server.Config) { c.AllowedOrigins = []string{"*"} }, ok: true},
		{name: "bad proxy", set: func(c *server.Config) { c.TrustedProxies = []string{"10.0.0.1"} }},
		{name: "zero TTL", set: func(c *server.Config) { c.SessionTTL = 0 }},
		{name: "negative limit", set: func(c *server.Config) { c.RequestsPerIP = -1 }},
		{name: "cap of 10 events", set: func(c *server.Config) { c.MaxEvents = 10 }},
		{name: "negative cap", set: func(c *server.Config) { c.MaxEvents = -1 }},
		{name: "cap of 20 events", set: func(c *server.Config) { c.MaxEvents = 20 }, ok: true},
		{name: "no cap", set: func(c *server.Config) { c.MaxEvents = 0 }, ok: true},
		{name: "lease shorter than two heartbeats", set: func(c *server.Config) { c.AgentHeartbeat, c.AgentLease = 3*time.Second, 5*time.Second }},
		{name: "replicas without a timeout", set: func(c *server.Config) { c.RedisMinReplicas, c.RedisReplicaTimeout = 1, 0 }},
		{name: "short metrics token", set: func(c *server.Config) { c.MetricsToken = "court" }},
		{name: "no body deadline", set: func(c *server.Config) { c.BodyTimeout = 0 }},
		{name: "no identity maximum", set: func(c *server.Config) { c.IdentityMaxAge = 0 }},
		{name: "negative websockets per address", set: func(c *server.Config) { c.SocketsPerIP = -3 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			tt.set(&cfg)
			if err := cfg.Validate(); (err == nil) != tt.ok {
				t.Fatalf("got %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
