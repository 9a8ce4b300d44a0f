package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/relais/relais/handoff"
	"github.com/relais/relais/server"
	"github.com/relais/relais/store/storetest"
)

// TestScaleDesks measures routing as the desks see it, one server and 500 agents (skill
// facturation, capacity 1) on real websockets, figures printed, nothing timed asserted:
//
//	redis-server --port 6401 --save '' --appendonly no --daemonize yes
//	RELAIS_SCALE=1 REDIS_URL=redis://127.0.0.1:6401 go test ./server/ -run TestScaleDesks -v
//
// It prints: the offer latency (customer's message → offer read by the desk) of 100 handoffs
// at once with the 500 agents Prêt; Redis's and this process's CPU per second idle, the 500
// Prêt and 200 customers waiting for a skill nobody has; the bytes read by the 500 desks per
// handoff while 10 of them take 300 tasks from a queue of 1,300 (1,000 left), as they come
// compressed from their connections (permessage-deflate, as a browser asks) and decompressed.
func TestScaleDesks(t *testing.T) {
	if os.Getenv("RELAIS_SCALE") == "" || os.Getenv("REDIS_URL") == "" {
		t.Skip("RELAIS_SCALE and REDIS_URL not set: scale measurements run on demand")
	}
	st := storetest.Open(t)
	router := handoff.NewRouter(st, handoff.Options{})
	accounts := handoff.NewAccounts(st, handoff.AccountOptions{Cost: 10})
	bot := &fakeBot{}
	cfg := testConfig()
	cfg.SocketsPerIP, cfg.ConnectionsPerIP = 0, 0 // 500 desks and 100 customers from 127.0.0.1
	in := serve(t, bot, server.Deps{Store: st, Bot: bot, Static: testStatic, Router: router, Accounts: accounts}, cfg)
	d := &deskInstance{instance: in, router: router, accounts: accounts, st: st}
	desks := d.scaleDesks(t, 500)
	for _, dk := range desks {
		dk.setState(t, "ready")
	}
	awaitAll(t, "500 agents Prêt", func() bool { return countReady(desks) == len(desks) })

	// 100 handoffs at once, 500 agents Prêt: every desk accepts, then closes.
	asked, answered := ask(t, in, 100, "conseiller facturation")
	awaitAll(t, "100 offers", func() bool { return offers(desks) == 100 })
	lat := latencies(desks, asked)
	t.Logf("500 agents Prêt, 100 handoffs at once: offer latency p50 %v, p99 %v, max %v (the customers' answers: p50 %v, p99 %v)",
		pct(lat, 50), pct(lat, 99), lat[len(lat)-1], pct(answered, 50), pct(answered, 99))
	awaitAll(t, "100 closes", func() bool { return closes(desks) == 100 })

	// Idle: the 500 Prêt, 200 customers waiting for a skill nobody has.
	_, _ = ask(t, in, 200, "conseiller litige")
	awaitAll(t, "200 waiting", func() bool { n, _ := router.Length(context.Background()); return n == 200 })
	time.Sleep(2 * time.Second) // the queue's pushes and positions settle
	redis0, cpu0, calls0, at := redisCPU(t, d), processCPU(), redisCalls(t, d), time.Now()
	time.Sleep(5 * time.Second)
	secs := time.Since(at).Seconds()
	t.Logf("idle, 500 agents Prêt and 200 waiting for another skill: Redis %.1f ms/s, this process (server and desks) %.1f ms/s; Redis commands per second: %s",
		(redisCPU(t, d)-redis0).Seconds()*1000/secs, (processCPU()-cpu0).Seconds()*1000/secs, callRates(calls0, redisCalls(t, d), secs))

	// Bytes: the 500 Non prêt, 1,100 more waiting (1,300), then 10 take 300 tasks (1,000 left).
	for _, dk := range desks {
		dk.setState(t, "not_ready")
	}
	awaitAll(t, "500 agents Non prêt", func() bool { return countReady(desks) == 0 })
	_, _ = ask(t, in, 1100, "conseiller facturation")
	awaitAll(t, "1,300 waiting", func() bool { n, _ := router.Length(context.Background()); return n == 1300 })
	time.Sleep(2 * time.Second)
	read0, wire0, kinds0, closed0, start := bytesRead(desks), wireRead(desks), kindsRead(desks), closes(desks), time.Now()
	for _, dk := range desks[:10] {
		dk.stopAt.Store(dk.closes.Load() + 30) // each closes 30 tasks, then goes Non prêt (perhaps one more offered meanwhile)
		dk.setState(t, "ready")
	}
	awaitAll(t, "300 handoffs", func() bool { return closes(desks)-closed0 >= 300 }, func() string {
		var out []string
		for _, dk := range desks[:10] {
			out = append(out, fmt.Sprintf("[closes %d of %d, ready %t, last %q, gone %v]", dk.closes.Load(), dk.stopAt.Load(), dk.ready.Load(), dk.last.Load(), dk.gone.Load()))
		}
		return strings.Join(out, " ")
	})
	elapsed := time.Since(start)
	time.Sleep(2 * time.Second) // the last queue push, and an offer each accepted while going Non prêt
	n := float64(closes(desks) - closed0)
	got, wire := bytesRead(desks)-read0, wireRead(desks)-wire0
	t.Logf("500 desks, 1,300 → 1,000 waiting, 10 agents take %.0f tasks: %.0f handoffs/s, %.1f KB per handoff read by the desks from their connections (%d bytes in all), %.1f KB once decompressed; by envelope, decompressed bytes per handoff: %s",
		n, 300/elapsed.Seconds(), float64(wire)/n/1000, wire, float64(got)/n/1000, perKind(kinds0, kindsRead(desks), n))
	status, _ := os.ReadFile("/proc/self/status")
	for line := range strings.SplitSeq(string(status), "\n") {
		if peak, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			t.Logf("this process's peak resident memory (server and desks): %s", strings.TrimSpace(peak))
		}
	}
}

// scaleDesk is an agent's desk that accepts every offer, closes every conversation it is
// given, and counts what it reads.
type scaleDesk struct {
	ws     *websocket.Conn
	wire   *atomic.Int64 // bytes read from the connection, compressed
	bytes  atomic.Int64
	closes atomic.Int64
	ready  atomic.Bool
	stopAt atomic.Int64 // the count of closes at which the desk goes Non prêt (0: never)
	last   atomic.Value // the type of the last envelope read
	gone   atomic.Value // the read error that ended the desk

	mu     sync.Mutex
	offers map[string]time.Time // conversation → when its offer was read
	kinds  map[string]int64     // envelope type → bytes read
}

// scaleDesks creates n agents and opens their desks.
func (d *deskInstance) scaleDesks(t *testing.T, n int) []*scaleDesk {
	ids := make([]string, n)
	var wg sync.WaitGroup
	var failed atomic.Value
	for w := range 2 {
		wg.Go(func() {
			for i := w; i < n; i += 2 {
				a, err := d.accounts.Add(context.Background(), handoff.NewAgent{Login: "scale-" + strconv.Itoa(i),
					Name: "Agent " + strconv.Itoa(i), Password: testPassword, Skills: []string{"facturation"}})
				if err != nil {
					failed.Store(err)
					return
				}
				ids[i] = a.ID
			}
		})
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		t.Fatal(err)
	}
	desks := make([]*scaleDesk, n)
	for i, id := range ids {
		desks[i] = d.openScaleDesk(t, d.session(t, id))
	}
	return desks
}

func (d *deskInstance) openScaleDesk(t *testing.T, cookie *http.Cookie) *scaleDesk {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := http.Header{}
	h.Set("Cookie", cookie.Name+"="+cookie.Value)
	wire := &countingDialer{}
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(d.url, "http")+"/api/v1/agent/ws", &websocket.DialOptions{HTTPHeader: h,
		HTTPClient: &http.Client{Transport: &http.Transport{DialContext: wire.dial}}, CompressionMode: websocket.CompressionNoContextTakeover})
	if err != nil {
		t.Fatalf("agent dial: %v", err)
	}
	ws.SetReadLimit(1 << 22)
	t.Cleanup(func() { ws.CloseNow() })
	dk := &scaleDesk{ws: ws, wire: &wire.n, offers: map[string]time.Time{}, kinds: map[string]int64{}}
	go dk.read()
	return dk
}

// read answers the desk's envelopes until the socket closes.
func (dk *scaleDesk) read() {
	for {
		_, data, err := dk.ws.Read(context.Background())
		if err != nil {
			dk.gone.Store(err.Error())
			return
		}
		dk.bytes.Add(int64(len(data)))
		var m deskMsg
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		dk.last.Store(m.Type + " " + m.Code + " " + m.Message)
		dk.mu.Lock()
		dk.kinds[m.Type] += int64(len(data))
		dk.mu.Unlock()
		switch {
		case m.Type == "offer" && m.Task != nil:
			dk.mu.Lock()
			dk.offers[m.Task.ConversationID] = time.Now()
			dk.mu.Unlock()
			dk.write(map[string]string{"type": "accept", "task_id": m.Task.ID})
		case m.Type == "assigned" && m.Task != nil:
			dk.write(map[string]string{"type": "close", "conversation_id": m.Task.ConversationID})
		case m.Type == "released":
			if dk.closes.Add(1) == dk.stopAt.Load() {
				dk.write(map[string]string{"type": "set_state", "state": "not_ready"})
			}
		case m.Type == "state" && m.State != "":
			dk.ready.Store(m.State == "ready")
		}
	}
}

func (dk *scaleDesk) write(cmd map[string]string) {
	data, _ := json.Marshal(cmd)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = dk.ws.Write(ctx, websocket.MessageText, data) // a failed write shows as a figure never reached
}

func (dk *scaleDesk) setState(t *testing.T, state string) {
	data, _ := json.Marshal(map[string]string{"type": "set_state", "state": state})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := dk.ws.Write(ctx, websocket.MessageText, data); err != nil {
		t.Fatal(err)
	}
}

// ask opens n conversations, then sends text on all of them at once; it returns when each
// message was sent, by conversation, and how long the answers took, sorted.
func ask(t *testing.T, in *instance, n int, text string) (map[string]time.Time, []time.Duration) {
	convs := make([]created, n)
	for i := range convs {
		convs[i] = in.open(t)
	}
	body, _ := json.Marshal(map[string]string{"text": text})
	asked := make(map[string]time.Time, n)
	var answered []time.Duration
	var mu sync.Mutex
	var wg sync.WaitGroup
	var failed atomic.Value
	sem := make(chan struct{}, 100)
	for _, c := range convs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			req, _ := http.NewRequest("POST", in.url+"/api/v1/conversations/"+c.ID+"/messages", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+c.Token)
			req.Header.Set("Content-Type", "application/json")
			at := time.Now()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				failed.Store(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			asked[c.ID] = at
			answered = append(answered, time.Since(at))
			mu.Unlock()
			if resp.StatusCode != http.StatusOK {
				failed.Store(fmt.Errorf("message: got %d, want 200", resp.StatusCode))
			}
		})
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		t.Fatal(err)
	}
	slices.Sort(answered)
	return asked, answered
}

// awaitAll polls ok for up to two minutes; detail says what the desks saw, on failure.
func awaitAll(t *testing.T, what string, ok func() bool, detail ...func() string) {
	for deadline := time.Now().Add(2 * time.Minute); !ok(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			var more []string
			for _, f := range detail {
				more = append(more, f())
			}
			t.Fatalf("waiting for %s: not after two minutes %s", what, strings.Join(more, " "))
		}
	}
}

func countReady(desks []*scaleDesk) (n int) {
	for _, dk := range desks {
		if dk.ready.Load() {
			n++
		}
	}
	return n
}

func offers(desks []*scaleDesk) (n int) {
	for _, dk := range desks {
		dk.mu.Lock()
		n += len(dk.offers)
		dk.mu.Unlock()
	}
	return n
}

func closes(desks []*scaleDesk) (n int64) {
	for _, dk := range desks {
		n += dk.closes.Load()
	}
	return n
}

func bytesRead(desks []*scaleDesk) (n int64) {
	for _, dk := range desks {
		n += dk.bytes.Load()
	}
	return n
}

func wireRead(desks []*scaleDesk) (n int64) {
	for _, dk := range desks {
		n += dk.wire.Load()
	}
	return n
}

// countingDialer dials connections that count the bytes read from them.
type countingDialer struct{ n atomic.Int64 }

func (d *countingDialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	return countingConn{c, &d.n}, err
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// kindsRead adds up the desks' bytes read by envelope type.
func kindsRead(desks []*scaleDesk) map[string]int64 {
	sum := map[string]int64{}
	for _, dk := range desks {
		dk.mu.Lock()
		for kind, n := range dk.kinds {
			sum[kind] += n
		}
		dk.mu.Unlock()
	}
	return sum
}

// perKind lists the bytes read per handoff between two counts, by envelope type, most first.
func perKind(before, after map[string]int64, handoffs float64) string {
	kinds := slices.Collect(maps.Keys(after))
	slices.SortFunc(kinds, func(a, b string) int { return int((after[b] - before[b]) - (after[a] - before[a])) })
	var parts []string
	for _, kind := range kinds {
		if n := after[kind] - before[kind]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %.0f", kind, float64(n)/handoffs))
		}
	}
	return strings.Join(parts, ", ")
}

// latencies are the offers' delays after their customers' messages, sorted.
func latencies(desks []*scaleDesk, asked map[string]time.Time) []time.Duration {
	var out []time.Duration
	for _, dk := range desks {
		dk.mu.Lock()
		for conv, at := range dk.offers {
			if from, ok := asked[conv]; ok {
				out = append(out, at.Sub(from))
			}
		}
		dk.mu.Unlock()
	}
	slices.Sort(out)
	return out
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)*p/100, len(sorted)-1)].Round(100 * time.Microsecond)
}

// redisCPU is Redis's CPU time so far (INFO cpu, user and system).
func redisCPU(t *testing.T, d *deskInstance) time.Duration {
	text, err := d.st.Client.Info(context.Background(), "cpu").Result()
	if err != nil {
		t.Fatal(err)
	}
	var total float64
	for line := range strings.SplitSeq(text, "\r\n") {
		k, v, _ := strings.Cut(line, ":")
		if k == "used_cpu_sys" || k == "used_cpu_user" {
			f, _ := strconv.ParseFloat(v, 64)
			total += f
		}
	}
	return time.Duration(total * float64(time.Second))
}

// redisCalls counts Redis's commands so far, by command (INFO commandstats).
func redisCalls(t *testing.T, d *deskInstance) map[string]int64 {
	text, err := d.st.Client.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]int64{}
	for line := range strings.SplitSeq(text, "\r\n") {
		name, stats, ok := strings.Cut(strings.TrimPrefix(line, "cmdstat_"), ":calls=")
		if !ok {
			continue
		}
		n, _, _ := strings.Cut(stats, ",")
		calls[name], _ = strconv.ParseInt(n, 10, 64)
	}
	return calls
}

// callRates lists the commands run between two counts, most frequent first, per second.
func callRates(before, after map[string]int64, secs float64) string {
	type rate struct {
		name string
		n    int64
	}
	var rates []rate
	for name, n := range after {
		if n > before[name] {
			rates = append(rates, rate{name, n - before[name]})
		}
	}
	slices.SortFunc(rates, func(a, b rate) int { return int(b.n - a.n) })
	var parts []string
	for _, r := range rates[:min(len(rates), 5)] {
		parts = append(parts, fmt.Sprintf("%s %.0f", r.name, float64(r.n)/secs))
	}
	return strings.Join(parts, ", ")
}

// processCPU is this process's CPU time so far: the server and the desks' readers.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru) // zero on failure
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
