package storetest

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/store"
)

// RollBack does to conversation id what a Redis failover to a replica that had missed its
// last n events does: the events and the seq counter go back, the stream's last id too (XDEL
// would keep it). The keys are package conversation's (conversation/store.go).
func RollBack(t testing.TB, st *store.Store, id string, n int) {
	t.Helper()
	ctx := context.Background()
	meta, stream := st.Key("conv", "{"+id+"}"), st.Key("conv", "{"+id+"}", "events")
	msgs, err := st.Client.XRange(ctx, stream, "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	if n > len(msgs) {
		t.Fatalf("RollBack: %d events to lose, %d in the stream", n, len(msgs))
	}
	pipe := st.Client.TxPipeline()
	pipe.Del(ctx, stream)
	for _, m := range msgs[:len(msgs)-n] {
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: stream, ID: m.ID, Values: m.Values})
	}
	pipe.HIncrBy(ctx, meta, "seq", -int64(n))
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
}
