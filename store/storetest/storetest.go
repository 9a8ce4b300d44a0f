// Package storetest gives tests a Store: the real Redis named by REDIS_URL when it is set (CI
// sets it), the embedded one otherwise. Each test gets its own key prefix, so tests and
// packages running at the same time never see each other's keys.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"testing"

	"github.com/relais/relais/store"
)

// Open returns a Store for t, closed and cleaned when t ends.
func Open(t testing.TB) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, os.Getenv("REDIS_URL"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("store: %v", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	s.Prefix = "test:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		if !s.Embedded {
			deleteKeys(ctx, s)
		}
		s.Close()
	})
	return s
}

// deleteKeys removes what the test wrote in a shared Redis.
func deleteKeys(ctx context.Context, s *store.Store) {
	iter := s.Client.Scan(ctx, 0, s.Prefix+"*", 500).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	for len(keys) > 0 {
		n := min(len(keys), 500)
		s.Client.Del(ctx, keys[:n]...)
		keys = keys[n:]
	}
}
