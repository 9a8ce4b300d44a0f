package storetest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/store"
)

// Cluster starts a Redis Cluster of three masters of its own (redis-server with
// --cluster-enabled yes on free ports, the 16,384 slots split between them), stopped when t
// ends, and opens a store on it as REDIS_URL=redis+cluster://… would. It skips the test when
// there is no redis-server (RELAIS_REDIS_SERVER, or on the PATH); CI installs one.
func Cluster(t testing.TB) *store.Store {
	t.Helper()
	bin := RedisServer(t)
	ports := make([]int, 3)
	nodes := make([]*redis.Client, 3)
	for i := range ports {
		ports[i] = FreePort(t)
		nodes[i] = StartRedis(t, bin, ports[i], "--port", strconv.Itoa(ports[i]), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--cluster-enabled", "yes", "--cluster-node-timeout", "2000")
	}
	ctx := context.Background()
	per := 16384 / len(nodes)
	for i, n := range nodes {
		last := (i+1)*per - 1
		if i == len(nodes)-1 {
			last = 16383
		}
		if err := n.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", i*per, last).Err(); err != nil {
			t.Fatalf("CLUSTER ADDSLOTSRANGE : %v", err)
		}
		if i > 0 {
			if err := n.ClusterMeet(ctx, "127.0.0.1", strconv.Itoa(ports[0])).Err(); err != nil {
				t.Fatalf("CLUSTER MEET : %v", err)
			}
		}
	}
	waitUntil(t, 20*time.Second, "le cluster Redis", func() bool {
		for _, n := range nodes {
			info, err := n.ClusterInfo(ctx).Result()
			if err != nil || !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, "cluster_known_nodes:3") {
				return false
			}
		}
		return true
	})
	addrs := make([]string, len(ports))
	for i, p := range ports {
		addrs[i] = "127.0.0.1:" + strconv.Itoa(p)
	}
	s, err := store.Open(ctx, "redis+cluster://"+strings.Join(addrs, ","), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("store sur le cluster : %v", err)
	}
	t.Cleanup(func() { s.Close() })
	// Every node must know every slot before the first command, or a MOVED loop may follow.
	waitUntil(t, 20*time.Second, "les slots du cluster", func() bool {
		cc, ok := s.Client.(*redis.ClusterClient)
		return ok && s.Client.Set(ctx, "storetest:{probe}", "1", time.Second).Err() == nil &&
			cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return c.Ping(ctx).Err() }) == nil
	})
	return s
}

// RedisServer is the redis-server to start: RELAIS_REDIS_SERVER, or the one on PATH; the test
// is skipped without one.
func RedisServer(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("RELAIS_REDIS_SERVER"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("RELAIS_REDIS_SERVER=%s : %v", p, err)
		}
		return p
	}
	p, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server introuvable (ni sur le PATH ni dans RELAIS_REDIS_SERVER) : test qui démarre ses propres Redis non joué")
	}
	return p
}

// FreePort is a TCP port free on 127.0.0.1 right now.
func FreePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// StartRedis starts redis-server bin with args in a temporary directory, stopped when t ends,
// and returns a client of it once it answers on port.
func StartRedis(t testing.TB, bin string, port int, args ...string) *redis.Client {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = t.TempDir()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("redis-server %d:\n%s", port, out.String())
		}
	})
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port), DisableIdentity: true})
	t.Cleanup(func() { c.Close() })
	waitUntil(t, 10*time.Second, fmt.Sprintf("redis-server sur le port %d", port), func() bool {
		return c.Ping(context.Background()).Err() == nil
	})
	return c
}

// waitUntil polls cond (another process's state: there is no event to wait on) until it
// holds, failing after d.
func waitUntil(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s : toujours pas prêt après %s", what, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
