package server_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/store"
)

// TestTwoProcessesActAsOneServer builds the real binary, runs it twice on the Redis of
// REDIS_URL, and checks that a websocket held by one process receives what the other stores,
// and that SIGTERM closes it with "going away".
func TestTwoProcessesActAsOneServer(t *testing.T) {
	redisURL := os.Getenv("REDIS_URL")
	if redisURL == "" {
		t.Skip("REDIS_URL unset: two processes need a shared Redis")
	}
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	a, stopA := runProcess(t, bin, redisURL)
	b, _ := runProcess(t, bin, redisURL)

	c := a.open(t)
	ws := a.dial(t, c, "1")
	reply := b.say(t, c, "quels sont vos horaires d'ouverture ?")
	if len(reply.Events) == 0 {
		t.Fatalf("the bot did not answer: %+v", reply)
	}
	got := expectSeqs(t, ws, 2, reply.Events[len(reply.Events)-1].Seq)
	if got[0].Text != "quels sont vos horaires d'ouverture ?" {
		t.Fatalf("got %+v, want the customer's message first", got[0])
	}
	stopA()
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Second)
	defer cancel()
	_, _, err := ws.Read(ctx)
	if got := websocket.CloseStatus(err); got != websocket.StatusGoingAway {
		t.Fatalf("after SIGTERM: got %v, want going away", err)
	}
	// The customer resumes on the other process, without gap or duplicate.
	ws = b.dial(t, c, "3")
	b.say(t, c, "merci")
	if ev := next(t, ws); ev.Seq != 4 {
		t.Fatalf("resumed: got seq %d, want 4", ev.Seq)
	}
}

// buildBinary builds the relais binary into a temporary folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "relais")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/relais/relais").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// processesRouter opens the namespace the `relais serve` processes on redisURL use, with a
// Router and Accounts over it for the test to set up agents and tasks.
func processesRouter(t *testing.T, redisURL string) (*handoff.Router, *handoff.Accounts) {
	t.Helper()
	st, err := store.Open(context.Background(), redisURL, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	st.Prefix = processPrefix(t)
	t.Cleanup(func() { st.Close() })
	return handoff.NewRouter(st, handoff.Options{}), handoff.NewAccounts(st, handoff.AccountOptions{Cost: 10})
}

// runProcess starts `relais serve` on 127.0.0.1:0 and waits for its address and readiness;
// the function it returns stops it with SIGTERM (and the test ends it so if it did not).
func runProcess(t *testing.T, bin, redisURL string) (*instance, func()) {
	t.Helper()
	cmd, in, done := startProcess(t, bin, redisURL)
	stop := func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			t.Error("the process did not stop within 15 s of SIGTERM")
		}
	}
	t.Cleanup(stop)
	return in, stop
}

// startProcess starts `relais serve` on 127.0.0.1:0 with extra environment and waits until
// it is ready; done closes when it has exited.
func startProcess(t *testing.T, bin, redisURL string, env ...string) (*exec.Cmd, *instance, <-chan struct{}) {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(append(os.Environ(), "ADDR=127.0.0.1:0", "REDIS_URL="+redisURL, "RELAIS_LOG_LEVEL=warn",
		"RELAIS_REDIS_PREFIX="+processPrefix(t)), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	return cmd, waitReady(t, out, done), done
}

// waitReady reads the address a starting `relais serve` prints, then waits until it is ready.
func waitReady(t *testing.T, out io.Reader, done <-chan struct{}) *instance {
	t.Helper()
	line, err := bufio.NewReader(out).ReadString('\n')
	_, url, ok := strings.Cut(strings.TrimSpace(line), "http://")
	if err != nil || !ok {
		t.Fatalf("address line: got %q, %v", line, err)
	}
	in := &instance{url: "http://" + url}
	deadline := time.Now().Add(2 * time.Minute) // the first run may train the classifier
	for {
		if status, _, _ := tryGet(in.url + "/readyz"); status == 200 {
			return in
		}
		if time.Now().After(deadline) {
			t.Fatal("the process never became ready")
		}
		select {
		case <-done:
			t.Fatal("the process exited")
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// processPrefixes are the key prefixes of the tests' relais serve processes, one per test.
var processPrefixes sync.Map // *testing.T → string

// processPrefix is the key prefix the processes of test t share with its router: its own, so
// that two runs of the tests on one Redis (or a leftover of an earlier run) never meet. Its
// keys are deleted when t ends.
func processPrefix(t *testing.T) string {
	if p, ok := processPrefixes.Load(t); ok {
		return p.(string)
	}
	b := make([]byte, 6)
	rand.Read(b)
	p := "test-process:" + hex.EncodeToString(b) + ":"
	processPrefixes.Store(t, p)
	t.Cleanup(func() {
		processPrefixes.Delete(t)
		st, err := store.Open(context.Background(), os.Getenv("REDIS_URL"), slog.New(slog.DiscardHandler))
		if err != nil {
			return
		}
		defer st.Close()
		ctx := context.Background()
		iter := st.Client.Scan(ctx, 0, p+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		for i := 0; i < len(keys); i += 500 {
			st.Client.Del(ctx, keys[i:min(i+500, len(keys))]...)
		}
	})
	return p
}
