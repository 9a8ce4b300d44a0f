package desk_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

// TestEachPersonIsOneSlot: every key of one customer (record, requests, open requests,
// activities, tags, left messages, and an anonymous chat linked to them) shares one Redis
// Cluster slot, and the customers' slots differ, so the desk spreads over a cluster's nodes.
// Slots are CLUSTER KEYSLOT's (the test Redis's when it is a cluster node, otherwise a
// cluster-enabled redis-server of the test's own).
func TestEachPersonIsOneSlot(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *store.Store{"redis": storetest.Open, "cluster": storetest.Cluster} {
		t.Run(name, func(t *testing.T) { eachPersonIsOneSlot(t, open(t)) })
	}
}

func eachPersonIsOneSlot(t *testing.T, st *store.Store) {
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
		for _, k := range []string{st.Key("{c:abc}") + ":customer", "x", "conv:{y}:events"} {
			if want, err := cc.ClusterKeySlot(ctx, k).Result(); err != nil || want != slot(k) {
				t.Errorf("slot of %s: computed %d, the cluster says %d (%v)", k, slot(k), want, err)
			}
		}
	}
}

// keySlot returns the Redis Cluster slot of a key as every cluster computes it (CRC16 of the
// hash tag, or of the whole key, modulo 16,384), whatever the test's Redis is.
func keySlot(*testing.T, redis.UniversalClient) func(string) int64 {
	return func(k string) int64 {
		if i := strings.IndexByte(k, '{'); i >= 0 {
			if j := strings.IndexByte(k[i+1:], '}'); j > 0 {
				k = k[i+1 : i+1+j]
			}
		}
		return int64(crc16(k) % 16384)
	}
}

// crc16 is CRC-16/XMODEM, the cluster's key hash.
func crc16(s string) uint16 {
	var crc uint16
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
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
