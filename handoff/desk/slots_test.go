package desk_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/store/storetest"
)

// TestEachPersonIsOneSlot: every key of one customer (record, requests, open requests,
// activities, tags, left messages, and an anonymous chat linked to them) shares one Redis
// Cluster slot, and the customers' slots differ, so the desk spreads over a cluster's nodes.
// Slots are CLUSTER KEYSLOT's (the test Redis's when it is a cluster node, otherwise a
// cluster-enabled redis-server of the test's own).
func TestEachPersonIsOneSlot(t *testing.T) {
	st := storetest.Open(t)
	d := desk.New(st, nil)
	slot := keySlot(t, st.Client)
	const n = 64
	slots := map[int64]bool{}
	for i := range n {
		c := mustCustomer(t, d, fmt.Sprintf("Client %d", i), desk.CustomerFields{
			Email: fmt.Sprintf("client%d@example.fr", i), Phone: fmt.Sprintf("06 12 34 %02d 00", i),
			AccountNumber: fmt.Sprintf("A-%d", i)})
		anon, err := d.Attach(ctx, desk.Taken{TaskID: fmt.Sprintf("anon-%d", i), ConversationID: fmt.Sprintf("anon-%d", i), AgentID: "a1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Link(ctx, fmt.Sprintf("anon-%d", i), c.ID, time.Hour, "a1"); err != nil {
			t.Fatal(err)
		}
		in, err := d.Attach(ctx, desk.Taken{TaskID: fmt.Sprintf("t-%d", i), ConversationID: fmt.Sprintf("c-%d", i), CustomerID: c.ID, AgentID: "a1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.AddTag(ctx, in.Activity.ID, in.Activity.Version, "Facture", "a1"); err != nil {
			t.Fatal(err)
		}
		if _, err := d.CreateRequest(ctx, c.ID, desk.RequestFields{Title: "Résiliation"}, "a1"); err != nil {
			t.Fatal(err)
		}
		if _, err := d.LeaveMessage(ctx, desk.LeftMessage{ConversationID: fmt.Sprintf("m-%d", i), CustomerID: c.ID, Message: "Rappelez-moi"}); err != nil {
			t.Fatal(err)
		}
		keys := scanKeys(t, st.Client, st.Key("{c:"+c.ID+"}")+":*")
		// customer, requests, open, 2 requests with their activities, 3 activities
		if len(keys) < 10 {
			t.Fatalf("customer %d: %d keys under its tag, want at least 10: %v", i, len(keys), keys)
		}
		home := slot(st.Key("{c:" + c.ID + "}"))
		for _, k := range keys {
			if s := slot(k); s != home {
				t.Fatalf("customer %d: %s in slot %d, want %d", i, k, s, home)
			}
		}
		if left := scanKeys(t, st.Client, st.Key("{r:"+anon.Request.ID+"}")+":*"); len(left) != 0 {
			t.Fatalf("customer %d: the linked chat left %v in its old home", i, left)
		}
		j, err := d.Journey(ctx, c.ID)
		if err != nil || len(j.Requests) != 3 {
			t.Fatalf("customer %d: journey %d requests (%v), want 3", i, len(j.Requests), err)
		}
		slots[home] = true
	}
	if len(slots) < n-4 {
		t.Fatalf("%d customers in %d slots, want nearly one slot each", n, len(slots))
	}
	// On a Redis Cluster, every master holds customers.
	if cc, ok := st.Client.(*redis.ClusterClient); ok {
		var mu sync.Mutex
		held := map[string]int{}
		err := cc.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
			keys := scanKeys(t, m, st.Key("{c:*}")+":customer")
			mu.Lock()
			held[m.Options().Addr] = len(keys)
			mu.Unlock()
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for addr, k := range held {
			if k == 0 {
				t.Errorf("master %s holds no customer (%v)", addr, held)
			}
		}
		t.Logf("customers per master: %v", held)
	}
}

// keySlot returns CLUSTER KEYSLOT of the test's Redis or, when it is not a cluster node, of
// a cluster-enabled redis-server started for the test.
func keySlot(t *testing.T, c redis.UniversalClient) func(string) int64 {
	t.Helper()
	if err := c.ClusterKeySlot(ctx, "x").Err(); err != nil {
		c = clusterNode(t)
	}
	return func(k string) int64 {
		s, err := c.ClusterKeySlot(ctx, k).Result()
		if err != nil {
			t.Fatalf("CLUSTER KEYSLOT %s: %v", k, err)
		}
		return s
	}
}

func clusterNode(t *testing.T) *redis.Client {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("the test Redis has no cluster support and redis-server is not installed")
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "redis.sock")
	cmd := exec.Command(bin, "--port", "0", "--unixsocket", sock, "--save", "", "--appendonly", "no",
		"--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(dir, "nodes.conf"), "--dir", dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	c := redis.NewClient(&redis.Options{Network: "unix", Addr: sock})
	t.Cleanup(func() { c.Close() })
	for range 200 {
		if _, err := os.Stat(sock); err == nil && c.Ping(ctx).Err() == nil {
			return c
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the cluster-enabled redis-server did not start")
	return nil
}

func scanKeys(t *testing.T, c redis.UniversalClient, pattern string) []string {
	t.Helper()
	var keys []string
	iter := c.Scan(context.Background(), 0, pattern, 1000).Iterator()
	for iter.Next(ctx) {
		if !strings.HasSuffix(iter.Val(), "}:") {
			keys = append(keys, iter.Val())
		}
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

// TestInterruptedLinkIsFinished: a link stopped after its first step (the chat frozen in its
// old home for the customer) is finished by the next write on the chat, which then lands in
// the customer's home (as a finished link, it changed the chat: the version read is stale);
// readers meanwhile see the chat.
func TestInterruptedLinkIsFinished(t *testing.T) {
	st := storetest.Open(t)
	d := desk.New(st, nil)
	c := mustCustomer(t, d, "Léa", desk.CustomerFields{})
	in, err := d.Attach(ctx, desk.Taken{TaskID: "t1", ConversationID: "c1", AgentID: "a1"})
	if err != nil {
		t.Fatal(err)
	}
	old := st.Key("{r:"+in.Request.ID+"}") + ":"
	for _, k := range []string{old + "request:" + in.Request.ID, old + "activity:" + in.Activity.ID} {
		if err := st.Client.HSet(ctx, k, "moved_to", c.ID).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if a, err := d.Activity(ctx, in.Activity.ID); err != nil || a.ID != in.Activity.ID {
		t.Fatalf("frozen: got %+v %v, want the chat", a, err)
	}
	// The link, finished, changed the chat: the tag made with the version read is stale.
	_, err = d.AddTag(ctx, in.Activity.ID, in.Activity.Version, "Facture", "a1")
	stale, ok := errors.AsType[*desk.StaleError](err)
	if !ok {
		t.Fatalf("got %v, want stale", err)
	}
	a, err := d.AddTag(ctx, in.Activity.ID, stale.Version, "Facture", "a1")
	if err != nil {
		t.Fatal(err)
	}
	if a.CustomerID != c.ID || len(a.Tags) != 1 {
		t.Fatalf("got %+v, want the chat filed for %s with its tag", a, c.ID)
	}
	if left := scanKeys(t, st.Client, old+"*"); len(left) != 0 {
		t.Fatalf("left in the old home: %v", left)
	}
	j, err := d.Journey(ctx, c.ID)
	if err != nil || len(j.Requests) != 1 || len(j.Requests[0].Activities) != 1 {
		t.Fatalf("journey %+v %v, want the chat's request", j, err)
	}
}
