package loadtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// cpuBot is fakeBot with a /metrics whose process_cpu_seconds_total grows by step at each
// read, and process_resident_memory_bytes by 1 MiB, served to the bearer of token ("": anyone).
func cpuBot(token string, step float64) (func(w http.ResponseWriter, r *http.Request), *atomic.Int64) {
	var reads atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			fakeBot(w, r)
			return
		}
		if token != "" && r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		n := reads.Add(1)
		fmt.Fprintf(w, "# HELP process_cpu_seconds_total x\n# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total %g\ngo_goroutines 3\nprocess_resident_memory_bytes %d\n", 10+float64(n)*step, n<<20)
	}, &reads
}

func TestRunServerCPU(t *testing.T) {
	const token = "jeton-des-metriques-assez-long"
	a, readsA := cpuBot(token, 0.25)
	b, readsB := cpuBot(token, 0.5)
	recA, recB := newRecorder(t, a), newRecorder(t, b)
	res, err := Run(context.Background(), Config{URLs: []string{recA.srv.URL, recB.srv.URL}, Customers: 2,
		Duration: 200 * time.Millisecond, ServerCPU: true, MetricsToken: token})
	if err != nil {
		t.Fatal(err)
	}
	if readsA.Load() != 2 || readsB.Load() != 2 {
		t.Errorf("got %d and %d reads of /metrics, want 2 each (before, after)", readsA.Load(), readsB.Load())
	}
	if res.ServerCPUError != "" || res.ServerCPU != 750*time.Millisecond || res.Turns == 0 {
		t.Fatalf("got %+v, want 750 ms of server CPU, turns, no error", res)
	}
	if want := 750 * time.Millisecond / time.Duration(res.Turns); res.CPUPerTurn != want {
		t.Errorf("got %v per turn, want %v", res.CPUPerTurn, want)
	}
	if res.RSSStart != 2<<20 || res.RSSEnd != 4<<20 {
		t.Errorf("got resident memory %d then %d, want 2 MiB then 4 MiB (the two servers summed)", res.RSSStart, res.RSSEnd)
	}
	var out bytes.Buffer
	res.Print(&out)
	for _, want := range []string{"µs CPU serveur /tour", "CPU serveur      0.75 s", "mémoire serveur  2.0 Mo au début, 4.0 Mo à la fin"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("printed:\n%s\nwant %q", out.String(), want)
		}
	}
}

// TestRunRedisMemory: the growth of Redis's memory during the measure, per conversation opened
// and per message; a Redis that cannot tell is reported, not fatal.
func TestRunRedisMemory(t *testing.T) {
	rec := newRecorder(t, fakeBot)
	var reads atomic.Int64
	memory := func(context.Context) (int64, error) { return 1000 + reads.Add(1)*1_000_000, nil }
	res, err := Run(context.Background(), Config{URL: rec.srv.URL, Customers: 2, Duration: 200 * time.Millisecond, RedisMemory: memory})
	if err != nil {
		t.Fatal(err)
	}
	if res.RedisMemoryStart != 1_001_000 || res.RedisMemoryEnd != 2_001_000 || res.Conversations == 0 || res.Messages == 0 {
		t.Fatalf("got %+v, want Redis at 1,001,000 then 2,001,000 bytes", res)
	}
	if res.RedisPerConversation != 1e6/float64(res.Conversations) || res.RedisPerMessage != 1e6/float64(res.Messages) {
		t.Errorf("got %.0f per conversation, %.0f per message; want 1,000,000 over %d and %d", res.RedisPerConversation, res.RedisPerMessage, res.Conversations, res.Messages)
	}
	var out bytes.Buffer
	res.Print(&out)
	if !strings.Contains(out.String(), "mémoire Redis    1.0 Mo → 1.9 Mo") {
		t.Errorf("printed:\n%s", out.String())
	}

	res, err = Run(context.Background(), Config{URL: rec.srv.URL, Customers: 1, Duration: 100 * time.Millisecond,
		RedisMemory: func(context.Context) (int64, error) { return 0, errors.New("INFO refusé") }})
	if err != nil || res.RedisMemoryError != "INFO refusé" || res.Turns == 0 {
		t.Fatalf("a Redis that cannot tell: got %+v, %v; want turns and its error", res, err)
	}
}

func TestRunServerCPUUnreadable(t *testing.T) {
	tests := []struct {
		name, token string
		urls        func(url string) []string
		want        string
	}{
		{name: "no token", want: "401"},
		{name: "elsewhere", token: "t", urls: func(u string) []string { return []string{u + "/nope"} }, want: "pas de process_cpu_seconds_total"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := cpuBot("jeton", 1)
			rec := newRecorder(t, h)
			cfg := Config{URL: rec.srv.URL, Customers: 1, Duration: 100 * time.Millisecond, ServerCPU: true, MetricsToken: tt.token}
			if tt.urls != nil {
				cfg.MetricsURLs = tt.urls(rec.srv.URL)
			}
			res, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(res.ServerCPUError, tt.want) || res.CPUPerTurn != 0 || res.Turns == 0 {
				t.Fatalf("got %+v, want turns and a %s error", res, tt.want)
			}
		})
	}
}

func TestMetricsURLs(t *testing.T) {
	got := metricsURLs(Config{URLs: []string{"http://a:1", "http://b:2"}})
	if strings.Join(got, " ") != "http://a:1/metrics http://b:2/metrics" {
		t.Errorf("got %v", got)
	}
	got = metricsURLs(Config{URLs: []string{"http://a:1"}, MetricsURLs: []string{"http://m:9/", "http://n:9/metrics"}})
	if strings.Join(got, " ") != "http://m:9/metrics http://n:9/metrics" {
		t.Errorf("got %v", got)
	}
}
