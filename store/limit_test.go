package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

// TestScriptsLoad compiles every embedded script in the real Redis.
func TestScriptsLoad(t *testing.T) {
	storetest.LoadScripts(t, store.Scripts, func(name string) string { return store.ScriptSource(store.Scripts, name) })
}

// TestLimitCountsInAWindow: the events within the limit pass, the next one waits for the end
// of the window, and another key counts on its own.
func TestLimitCountsInAWindow(t *testing.T) {
	st, ctx := storetest.Open(t), context.Background()
	for i := range 3 {
		if wait, err := st.Limit(ctx, "ip:a", 3, time.Minute); err != nil || wait != 0 {
			t.Fatalf("event %d: wait %s, err %v; want it to pass", i+1, wait, err)
		}
	}
	if wait, err := st.Limit(ctx, "ip:a", 3, time.Minute); err != nil || wait <= 0 || wait > time.Minute {
		t.Fatalf("event 4: wait %s, err %v; want the rest of the minute", wait, err)
	}
	if wait, err := st.Limit(ctx, "ip:b", 3, time.Minute); err != nil || wait != 0 {
		t.Fatalf("another key: wait %s, err %v; want it to pass", wait, err)
	}
}

// TestUsedMemoryGrows: the bytes Redis reports grow with what is written (the embedded store
// says it does not know).
func TestUsedMemoryGrows(t *testing.T) {
	st, ctx := storetest.Open(t), context.Background()
	if st.Embedded {
		if _, err := st.UsedMemory(ctx); err == nil {
			t.Fatal("the embedded store gave a memory figure")
		}
		return
	}
	before, err := st.UsedMemory(ctx)
	if err != nil || before <= 0 {
		t.Fatalf("UsedMemory: %d, %v", before, err)
	}
	st.Client.Set(ctx, st.Key("memory-test"), strings.Repeat("x", 1<<20), time.Minute)
	if after, err := st.UsedMemory(ctx); err != nil || after < before+1<<20 {
		t.Fatalf("after 1 MiB: %d (before %d), %v; want at least 1 MiB more", after, before, err)
	}
}
