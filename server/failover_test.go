package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

// TestFailoverLosesNoAcknowledgedMessage runs a master, a replica and a Sentinel of its own,
// talks with the bot through a server on redis+sentinel://, forces a failover in the middle
// of the conversation, and counts the acknowledged messages that the new master does not
// have. With RELAIS_REDIS_MIN_REPLICAS=1 none may be lost; without it some may be (the writes
// the old master acknowledged after the replica's promotion), and then the customer's socket,
// which showed them, must be told to reload (a reset) and end up showing the store as it is.
func TestFailoverLosesNoAcknowledgedMessage(t *testing.T) {
	bin := storetest.RedisServer(t)
	for _, tt := range []struct {
		name        string
		minReplicas int
	}{
		{name: "without waiting for the replica", minReplicas: 0},
		{name: "with RELAIS_REDIS_MIN_REPLICAS=1", minReplicas: 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			runFailover(t, bin, tt.minReplicas)
		})
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// waitFor polls cond (an outside process's state: there is no event to wait on) until it
// holds, failing after d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s : toujours pas après %s", what, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type sentinelSetup struct {
	master, replica, sentinel *redis.Client
	masterPort, replicaPort   int
	url                       string
}

func startSentinel(t *testing.T, bin string) sentinelSetup {
	var s sentinelSetup
	s.masterPort, s.replicaPort = storetest.FreePort(t), storetest.FreePort(t)
	common := []string{"--bind", "127.0.0.1", "--save", "", "--appendonly", "no"}
	s.master = storetest.StartRedis(t, bin, s.masterPort, append([]string{"--port", strconv.Itoa(s.masterPort)}, common...)...)
	s.replica = storetest.StartRedis(t, bin, s.replicaPort, append([]string{"--port", strconv.Itoa(s.replicaPort),
		"--replicaof", "127.0.0.1", strconv.Itoa(s.masterPort)}, common...)...)
	ctx := context.Background()
	waitFor(t, 10*time.Second, "réplication établie", func() bool {
		info, _ := s.replica.Info(ctx, "replication").Result()
		return strings.Contains(info, "master_link_status:up")
	})
	sport := storetest.FreePort(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "sentinel.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf(`port %d
bind 127.0.0.1
dir %s
sentinel monitor mymaster 127.0.0.1 %d 1
sentinel down-after-milliseconds mymaster 2000
sentinel failover-timeout mymaster 10000
sentinel parallel-syncs mymaster 1
`, sport, dir, s.masterPort)), 0o600)
	s.sentinel = storetest.StartRedis(t, bin, sport, conf, "--sentinel")
	waitFor(t, 15*time.Second, "réplique connue de Sentinel", func() bool {
		res, err := s.sentinel.Do(ctx, "SENTINEL", "replicas", "mymaster").Slice()
		return err == nil && len(res) > 0 && !strings.Contains(fmt.Sprint(res), "s_down")
	})
	s.url = fmt.Sprintf("redis+sentinel://127.0.0.1:%d/mymaster", sport)
	return s
}

// open opens the store on the Sentinel's master, until the test ends.
func (s sentinelSetup) open(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), s.url, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// failover makes Sentinel promote the replica, and waits until it names it the master.
func (s sentinelSetup) failover(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if err := s.sentinel.Do(ctx, "SENTINEL", "failover", "mymaster").Err(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "bascule vers la réplique", func() bool {
		addr, err := s.sentinel.Do(ctx, "SENTINEL", "get-master-addr-by-name", "mymaster").StringSlice()
		return err == nil && len(addr) == 2 && addr[1] == strconv.Itoa(s.replicaPort)
	})
}

func runFailover(t *testing.T, bin string, minReplicas int) {
	rs := startSentinel(t, bin)
	st := rs.open(t)
	cfg := testConfig()
	cfg.RedisMinReplicas, cfg.RedisReplicaTimeout = minReplicas, 300*time.Millisecond
	cfg.SafetyPoll = time.Second
	in := start(t, st, cfg)
	c := in.open(t)
	view := watch(t, in, c)

	acked := map[string]bool{} // texts the server acknowledged: customer messages and answers
	var mu sync.Mutex
	var refused int
	stop := make(chan struct{})
	wrote := make(chan int, 1000)
	go func() {
		defer close(wrote)
		client := &http.Client{Timeout: 5 * time.Second}
		for i := 1; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			text := fmt.Sprintf("message %d", i)
			for { // a refused message is sent again with its key, as the widget does
				evs, status := postKeyed(client, in.url, c, text, "k-"+strconv.Itoa(i))
				if status == http.StatusOK {
					mu.Lock()
					for _, ev := range evs {
						acked[ev.Text] = true
					}
					mu.Unlock()
					break
				}
				mu.Lock()
				refused++
				mu.Unlock()
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
			wrote <- i
			time.Sleep(20 * time.Millisecond)
		}
	}()
	waitCount(t, wrote, 30)
	rs.failover(t)
	waitCount(t, wrote, 30) // the conversation goes on, on the new master
	close(stop)
	for range wrote {
	}

	transcript := readAll(t, in, c)
	have := map[string]bool{}
	for _, ev := range transcript {
		have[ev.Text] = true
	}
	mu.Lock()
	lost := 0
	for text := range acked {
		if !have[text] {
			lost++
		}
	}
	total := len(acked)
	mu.Unlock()
	// The view heals: what the socket shows becomes the store's transcript.
	healed := view.await(transcript, 15*time.Second)
	resets := view.resets()
	t.Logf("RELAIS_REDIS_MIN_REPLICAS=%d : %d messages et réponses acquittés, %d perdus ; %d refus (503) réessayés ; %d reset sur la websocket ; vue du client conforme au stockage : %v",
		minReplicas, total, lost, refused, resets, healed)
	if minReplicas > 0 && lost > 0 {
		t.Fatalf("got %d acknowledged messages lost, want 0 with WAIT", lost)
	}
	if lost > 0 && resets == 0 {
		t.Fatalf("%d acknowledged messages lost and the socket was never reset", lost)
	}
	if !healed {
		t.Fatalf("the socket's view %v does not match the store's %d events", view.seqs(), len(transcript))
	}
}

func waitCount(t *testing.T, wrote <-chan int, n int) {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for range n {
		select {
		case _, ok := <-wrote:
			if !ok {
				t.Fatal("the writer stopped")
			}
		case <-timeout:
			t.Fatalf("fewer than %d messages acknowledged in 60 s", n)
		}
	}
}

func postKeyed(client *http.Client, url string, c created, text, key string) ([]conversation.Event, int) {
	body, _ := json.Marshal(map[string]string{"text": text})
	req, _ := http.NewRequest("POST", url+"/api/v1/conversations/"+c.ID+"/messages", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0
	}
	defer resp.Body.Close()
	var a answer
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&a) != nil {
		return nil, resp.StatusCode
	}
	return append([]conversation.Event{a.Message}, a.Events...), http.StatusOK
}

// readAll reads c's whole transcript, page by page, retrying while Redis switches over.
func readAll(t *testing.T, in *instance, c created) []conversation.Event {
	t.Helper()
	var out []conversation.Event
	after := "0"
	for {
		var page []conversation.Event
		waitFor(t, 10*time.Second, "lecture de la transcription", func() bool {
			status, _, data := call(t, "GET", in.url+"/api/v1/conversations/"+c.ID+"/events?after="+after, c.Token, "")
			if status != http.StatusOK {
				return false
			}
			page = decode[struct{ Events []conversation.Event }](t, data).Events
			return true
		})
		out = append(out, page...)
		if len(page) < 500 {
			return out
		}
		after = strconv.FormatInt(page[len(page)-1].Seq, 10)
	}
}

// clientView is what a customer's socket shows, as the widget keeps it: events by seq, all
// dropped on a reset; it reconnects with the id of its last event when the socket closes.
type clientView struct {
	mu     sync.Mutex
	shown  map[int64]string // seq → text (or type)
	reset  int
	last   string
	change chan struct{}
}

func watch(t *testing.T, in *instance, c created) *clientView {
	v := &clientView{shown: map[int64]string{}, last: "0", change: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			v.mu.Lock()
			after := v.last
			v.mu.Unlock()
			u := "ws" + strings.TrimPrefix(in.url, "http") + "/api/v1/conversations/" + c.ID + "/ws?token=" + c.Token + "&after=" + after
			ws, _, err := websocket.Dial(ctx, u, nil)
			if err != nil {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			for {
				_, data, err := ws.Read(ctx)
				if err != nil {
					break
				}
				var ev conversation.Event
				if json.Unmarshal(bytes.TrimSpace(data), &ev) == nil {
					v.take(ev)
				}
			}
			ws.CloseNow()
		}
	}()
	return v
}

func (v *clientView) take(ev conversation.Event) {
	v.mu.Lock()
	switch {
	case ev.Type == conversation.TypeReset:
		v.reset++
		v.shown, v.last = map[int64]string{}, "0"
	case ev.Seq > 0:
		v.shown[ev.Seq] = ev.Type + ":" + ev.Text
		v.last = ev.ID
	}
	v.mu.Unlock()
	select {
	case v.change <- struct{}{}:
	default:
	}
}

func (v *clientView) resets() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.reset
}

func (v *clientView) seqs() map[int64]string {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make(map[int64]string, len(v.shown))
	for k, s := range v.shown {
		out[k] = s
	}
	return out
}

// await waits until the view is exactly transcript, false after d.
func (v *clientView) await(transcript []conversation.Event, d time.Duration) bool {
	timeout := time.After(d)
	for {
		v.mu.Lock()
		ok := len(v.shown) == len(transcript)
		for _, ev := range transcript {
			ok = ok && v.shown[ev.Seq] == ev.Type+":"+ev.Text
		}
		v.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-v.change:
		case <-timeout:
			return false
		}
	}
}
