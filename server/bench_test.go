package server_test

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
)

// BenchmarkMessageTurn measures one customer message answered by a (fake, instant) bot over
// HTTP: the server, Redis and the client on this machine. Parallel: many customers at once.
func BenchmarkMessageTurn(b *testing.B) {
	cfg := testConfig()
	cfg.MaxEvents = 0 // one conversation per customer for the whole run: no size cap
	benchTurns(b, startOne(b, cfg))
}

func benchTurns(b *testing.B, in *instance) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	var n atomic.Int64
	b.SetParallelism(16) // 32 customers on 2 cores
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c := in.open(b)
		url := in.url + "/api/v1/conversations/" + c.ID + "/messages"
		for pb.Next() {
			req, _ := http.NewRequest("POST", url, bytes.NewReader([]byte(`{"text":"bonjour"}`)))
			req.Header.Set("Authorization", "Bearer "+c.Token)
			req.Header.Set("Idempotency-Key", strconv.FormatInt(n.Add(1), 10))
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("got %d, want 200", resp.StatusCode)
			}
		}
	})
}
