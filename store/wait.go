package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Replicas asks that a write count only once this many replicas have it (Redis WAIT): with
// asynchronous replication, a failover to a replica that had not received a write loses it,
// and the process that was told "done" never learns of it. Zero MinReplicas: no wait.
type Replicas struct {
	MinReplicas int           // RELAIS_REDIS_MIN_REPLICAS
	Timeout     time.Duration // RELAIS_REDIS_REPLICA_TIMEOUT: the longest a write waits for them
}

// ErrNotReplicated is returned with the result of a write that the master applied but that
// fewer than MinReplicas replicas acknowledged within the timeout: it may be lost on a
// failover, so it must not be acknowledged; retrying it (idempotently) is safe.
var ErrNotReplicated = errors.New("store: écriture non confirmée par les répliques")

// RunScript runs script on keys and, with r.MinReplicas > 0, waits on the same connection
// (WAIT counts the writes of its connection only) until r.MinReplicas replicas have it. The
// script's reply comes back with ErrNotReplicated, not with other errors.
func (s *Store) RunScript(ctx context.Context, r Replicas, script *redis.Script, keys []string, args ...any) ([]any, error) {
	if r.MinReplicas <= 0 {
		return script.Run(ctx, s.Client, keys, args...).Slice()
	}
	conn, err := s.Conn(ctx, keys[0])
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	res, err := script.Run(ctx, conn, keys, args...).Slice()
	if err != nil {
		return nil, err
	}
	return res, r.Wait(ctx, conn)
}

// Wait waits until r.MinReplicas replicas have the writes made so far on conn (at least all
// the writes conn made; the replication offset is the master's, so earlier writes of other
// connections too). ErrNotReplicated when they do not within r.Timeout.
func (r Replicas) Wait(ctx context.Context, conn *redis.Conn) error {
	if r.MinReplicas <= 0 {
		return nil
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = time.Second
	}
	n, err := conn.Do(ctx, "WAIT", r.MinReplicas, timeout.Milliseconds()).Int()
	if err != nil {
		return err
	}
	if n < r.MinReplicas {
		return fmt.Errorf("%w (%d sur %d en %s)", ErrNotReplicated, n, r.MinReplicas, timeout)
	}
	return nil
}

// Conn is a connection of its own to the master that holds key (Close gives it back):
// commands that must share a connection, such as a write and its WAIT, go through it.
func (s *Store) Conn(ctx context.Context, key string) (*redis.Conn, error) {
	switch c := s.Client.(type) {
	case *redis.Client:
		return c.Conn(), nil
	case *redis.ClusterClient:
		node, err := c.MasterForKey(ctx, key)
		if err != nil {
			return nil, err
		}
		return node.Conn(), nil
	}
	return nil, fmt.Errorf("store: client Redis %T sans WAIT", s.Client)
}
