package server_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestIdleSocketMemory measures what an idle customer websocket costs a `relais serve`
// process: it opens RELAIS_IDLE_SOCKETS (default 10,000) conversations and their websockets,
// lets them settle, and prints the growth of the process's resident memory and of its Go heap
// and stacks per socket. A measure, not a check: RELAIS_SCALE=1 go test ./server/ -run TestIdleSocketMemory -v
func TestIdleSocketMemory(t *testing.T) {
	if os.Getenv("RELAIS_SCALE") == "" || os.Getenv("REDIS_URL") == "" {
		t.Skip("a measure: RELAIS_SCALE=1 with REDIS_URL")
	}
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("RELAIS_IDLE_SOCKETS")); err == nil && v > 0 {
		n = v
	}
	bin := buildBinary(t)
	env := []string{"RELAIS_RATE_IP=0", "RELAIS_RATE_IP_CONVERSATIONS=0", "RELAIS_RATE_CONVERSATION=0",
		"RELAIS_CONNECTIONS_PER_IP=0", "RELAIS_WEBSOCKETS_PER_IP=0"}
	// One process opens the conversations, a fresh one holds the websockets: its memory grows
	// by the sockets only.
	opener, first, _ := startProcess(t, bin, os.Getenv("REDIS_URL"), env...)
	convs := make([]created, n)
	parallel(n, func(i int) { convs[i] = first.open(t) })
	opener.Process.Kill()
	cmd, in, _ := startProcess(t, bin, os.Getenv("REDIS_URL"), env...)
	t.Cleanup(func() { cmd.Process.Kill() })
	settle := func() (rss, heap float64) {
		time.Sleep(3 * time.Second)
		return residentKB(t, cmd), heapKB(t, in)
	}
	rss0, heap0 := settle()
	socks := make([]*websocket.Conn, n)
	parallel(n, func(i int) {
		c := convs[i]
		ws, _, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(in.url, "http")+
			"/api/v1/conversations/"+c.ID+"/ws?token="+c.Token+"&after="+strconv.FormatInt(lastSeq(c), 10), nil)
		if err != nil {
			t.Errorf("dial %d: %v", i, err)
			return
		}
		socks[i] = ws
	})
	defer func() {
		for _, ws := range socks {
			if ws != nil {
				ws.CloseNow()
			}
		}
	}()
	rss1, heap1 := settle()
	t.Logf("%d idle customer websockets: resident memory %.0f → %.0f KB (%.1f KB per socket), Go heap and stacks in use %.0f → %.0f KB (%.1f KB per socket), %d goroutines",
		n, rss0, rss1, (rss1-rss0)/float64(n), heap0, heap1, (heap1-heap0)/float64(n), int(metric(t, in, "go_goroutines")))
}

// parallel runs f(0..n-1) on a few goroutines per core; a call that fails the test (and
// ends its goroutine) leaves the others going.
func parallel(n int, f func(int)) {
	var wg sync.WaitGroup
	var next atomic.Int64
	for range 4 * runtime.NumCPU() {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		})
	}
	wg.Wait()
}

func lastSeq(c created) int64 {
	if n := len(c.Events); n > 0 {
		return c.Events[n-1].Seq
	}
	return 0
}

// residentKB is the process's resident memory (VmRSS), in KB.
func residentKB(t *testing.T, cmd *exec.Cmd) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// heapKB is the Go heap and goroutine stacks in use, in KB.
func heapKB(t *testing.T, in *instance) float64 {
	return (metric(t, in, "go_memstats_heap_inuse_bytes") + metric(t, in, "go_memstats_stack_inuse_bytes")) / 1024
}
