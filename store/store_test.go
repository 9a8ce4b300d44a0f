package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		name, url string
		addrs     int
		master    string
		cluster   bool
		db        int
		wantErr   bool
	}{
		{name: "single", url: "redis://127.0.0.1:6379/2", addrs: 1, db: 2},
		{name: "password", url: "redis://:secret@redis:6379", addrs: 1},
		{name: "sentinel", url: "redis+sentinel://s1:26379,s2:26379/mymaster/1", addrs: 2, master: "mymaster", db: 1},
		{name: "sentinel without master", url: "redis+sentinel://s1:26379", wantErr: true},
		{name: "cluster", url: "redis+cluster://n1:7000,n2:7001,n3:7002", addrs: 3, cluster: true},
		{name: "unknown scheme", url: "http://x", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := store.ParseURL(tt.url)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error: got %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if len(o.Addrs) != tt.addrs || o.MasterName != tt.master || o.IsClusterMode != tt.cluster || o.DB != tt.db {
				t.Errorf("got %+v", o)
			}
		})
	}
}

// TestEmbeddedExpires checks that keys with a TTL expire in the embedded store, which
// miniredis does not do by itself.
func TestEmbeddedExpires(t *testing.T) {
	s, err := store.OpenEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Client.Set(ctx, s.Key("k"), "v", 300*time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.Client.Exists(ctx, s.Key("k")).Val() == 1 {
		if time.Now().After(deadline) {
			t.Fatal("key with a 300 ms TTL still there after 5 s")
		}
		<-time.After(50 * time.Millisecond) // polling the store's clock, not waiting for a goroutine
	}
}

func TestStoretestIsolatesTests(t *testing.T) {
	a, b := storetest.Open(t), storetest.Open(t)
	ctx := context.Background()
	a.Client.Set(ctx, a.Key("x"), "a", 0)
	if got := b.Client.Get(ctx, b.Key("x")).Val(); got != "" {
		t.Errorf("second store sees %q, want nothing", got)
	}
	if err := a.Ping(ctx); err != nil {
		t.Errorf("ping: %v", err)
	}
}
