package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/store"
)

// Dump returns every key of st's prefix with its whole content, one line per key: strings,
// hashes, lists, sets, sorted sets and streams. On a Redis Cluster it reads every master.
// Tests of erasure search it for what must be gone.
func Dump(t testing.TB, st *store.Store) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	each := func(ctx context.Context, c *redis.Client) error {
		iter := c.Scan(ctx, 0, st.Prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			fmt.Fprintf(&b, "%s\n", describe(t, c, iter.Val()))
		}
		return iter.Err()
	}
	var err error
	switch c := st.Client.(type) {
	case *redis.ClusterClient:
		var mu sync.Mutex
		err = c.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error {
			mu.Lock()
			defer mu.Unlock()
			return each(ctx, n)
		})
	case *redis.Client:
		err = each(ctx, c)
	default:
		t.Fatalf("store client %T", c)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// describe is key k with its type and its whole content.
func describe(t testing.TB, c *redis.Client, k string) string {
	ctx := context.Background()
	typ, err := c.Type(ctx, k).Result()
	if err != nil {
		t.Fatal(err)
	}
	var v any
	switch typ {
	case "string":
		v, err = c.Get(ctx, k).Result()
	case "hash":
		v, err = c.HGetAll(ctx, k).Result()
	case "list":
		v, err = c.LRange(ctx, k, 0, -1).Result()
	case "set":
		v, err = c.SMembers(ctx, k).Result()
	case "zset":
		v, err = c.ZRangeWithScores(ctx, k, 0, -1).Result()
	case "stream":
		v, err = c.XRange(ctx, k, "-", "+").Result()
	}
	if err != nil && err != redis.Nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%s %s %v", k, typ, v)
}

// Lines returns the lines of a Dump that hold s (case-insensitive).
func Lines(dump, s string) []string {
	var out []string
	for _, line := range strings.Split(dump, "\n") {
		if strings.Contains(strings.ToLower(line), strings.ToLower(s)) {
			out = append(out, line)
		}
	}
	return out
}
