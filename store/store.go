// Package store opens the Redis that holds every piece of Relais's shared state: the server
// named by REDIS_URL, or, when there is none, an embedded in-memory Redis (miniredis) for a
// single process. It owns the connection and the key namespace, not the data: each package
// keeps its own keys under the namespace.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Store is an open connection to Redis.
type Store struct {
	Client   redis.UniversalClient
	Prefix   string // every key starts with it ("relais:" by default)
	Embedded bool   // true when the data lives in this process's memory only
	close    func()
}

// Key joins parts under the store's prefix: Key("session", id) = "relais:session:<id>".
func (s *Store) Key(parts ...string) string {
	return s.Prefix + strings.Join(parts, ":")
}

// Close closes the connection and stops the embedded server, if any.
func (s *Store) Close() error {
	err := s.Client.Close()
	if s.close != nil {
		s.close()
	}
	return err
}

// Ping reports whether Redis answers; /readyz uses it.
func (s *Store) Ping(ctx context.Context) error {
	return s.Client.Ping(ctx).Err()
}

// Open connects to rawURL, or starts the embedded store when rawURL is empty.
func Open(ctx context.Context, rawURL string, log *slog.Logger) (*Store, error) {
	if rawURL == "" {
		log.Warn("REDIS_URL non défini : stockage en mémoire intégré, les données sont perdues à l'arrêt et ne sont pas partagées entre instances")
		return OpenEmbedded()
	}
	opts, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	client := redis.NewUniversalClient(opts)
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("redis injoignable (%s) : %w", redactURL(rawURL), err)
	}
	return &Store{Client: client, Prefix: "relais:"}, nil
}

// OpenEmbedded starts an in-process Redis on 127.0.0.1. miniredis never expires keys by
// itself, so a ticker moves its clock forward with the real one.
func OpenEmbedded() (*Store, error) {
	mr := miniredis.NewMiniRedis()
	if err := mr.StartAddr("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("stockage intégré : %w", err)
	}
	stop := make(chan struct{})
	go advanceClock(mr, stop)
	client := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs: []string{mr.Addr()}, DisableIdentity: true,
	})
	return &Store{Client: client, Prefix: "relais:", Embedded: true, close: func() {
		close(stop)
		mr.Close()
	}}, nil
}

func advanceClock(mr *miniredis.Miniredis, stop <-chan struct{}) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			mr.FastForward(now.Sub(last))
			mr.SetTime(now)
			last = now
		}
	}
}

// ParseURL turns REDIS_URL into go-redis options. Three forms:
//
//	redis://[user:password@]host:port[/db]        one server (rediss:// for TLS)
//	redis+sentinel://[:password@]host:port[,host:port...]/master[/db]
//	redis+cluster://[:password@]host:port[,host:port...]
func ParseURL(raw string) (*redis.UniversalOptions, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL invalide : %w", err)
	}
	switch u.Scheme {
	case "redis", "rediss":
		o, err := redis.ParseURL(raw)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL invalide : %w", err)
		}
		return &redis.UniversalOptions{
			Addrs: []string{o.Addr}, Username: o.Username, Password: o.Password,
			DB: o.DB, TLSConfig: o.TLSConfig, DisableIdentity: true,
		}, nil
	case "redis+sentinel", "redis+cluster":
		return parseMulti(u)
	}
	return nil, fmt.Errorf("REDIS_URL : schéma %q inconnu (redis://, rediss://, redis+sentinel://, redis+cluster://)", u.Scheme)
}

func parseMulti(u *url.URL) (*redis.UniversalOptions, error) {
	o := &redis.UniversalOptions{Addrs: strings.Split(u.Host, ","), DisableIdentity: true}
	if u.User != nil {
		o.Username = u.User.Username()
		o.Password, _ = u.User.Password()
	}
	path := strings.Split(strings.Trim(u.Path, "/"), "/")
	if u.Scheme == "redis+cluster" {
		o.IsClusterMode = true
		return o, nil
	}
	if path[0] == "" {
		return nil, fmt.Errorf("REDIS_URL : le nom du maître Sentinel manque (redis+sentinel://hôte:26379/mymaster)")
	}
	o.MasterName = path[0]
	if len(path) > 1 {
		if _, err := fmt.Sscan(path[1], &o.DB); err != nil {
			return nil, fmt.Errorf("REDIS_URL : base %q invalide", path[1])
		}
	}
	return o, nil
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "?"
	}
	return u.Redacted()
}

// UsedMemory is the bytes Redis uses (INFO memory's used_memory; on a Cluster, the node the
// client asks). The embedded store does not know it.
func (s *Store) UsedMemory(ctx context.Context) (int64, error) {
	if s.Embedded {
		return 0, errors.New("store : le Redis intégré ne mesure pas sa mémoire")
	}
	info, err := s.Client.Info(ctx, "memory").Result()
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, errors.New("store : used_memory absent de INFO memory")
}
