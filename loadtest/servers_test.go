package loadtest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// namedBot answers like fakeBot, but names the conversations it opens after the server
// (name + a counter), and accepts their websockets.
func namedBot(name string) func(w http.ResponseWriter, r *http.Request) {
	var opened atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/ws"):
			ws, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			for {
				if _, _, err := ws.Read(context.Background()); err != nil {
					return
				}
			}
		case r.URL.Path == "/api/v1/conversations":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"id":"%s%d","token":"tok"}`+"\n", name, opened.Add(1))
		default:
			fakeBot(w, r)
		}
	}
}

// TestRunRoundRobin: with two URLs, each customer sends its requests to each in turn,
// starting at its own offset, over one connection per URL, and holds its websocket on the
// URL that opened the conversation.
func TestRunRoundRobin(t *testing.T) {
	names := []string{"a", "b"}
	recs := []*recorder{newRecorder(t, namedBot("a")), newRecorder(t, namedBot("b"))}
	urls := []string{recs[0].srv.URL, recs[1].srv.URL + "/"}
	const customers = 4
	res, err := Run(context.Background(), Config{URLs: urls, Customers: customers, Duration: 300 * time.Millisecond, Websockets: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 0 || res.Conversations != customers || res.Turns == 0 {
		t.Fatalf("got %+v, want one conversation per customer, turns and no error", res)
	}
	if want := []string{recs[0].srv.URL, recs[1].srv.URL}; !slices.Equal(res.URLs, want) {
		t.Errorf("got URLs %v, want %v", res.URLs, want)
	}

	var count [2]int
	for s, rec := range recs {
		conns := map[int]string{} // customer → connection of its messages to this server
		opens := 0
		for _, q := range rec.requests() {
			conv := strings.TrimPrefix(q.path, "/api/v1/conversations/")
			switch {
			case q.path == "/api/v1/conversations":
				opens++
				count[s]++
			case strings.HasSuffix(q.path, "/ws"):
				if !strings.HasPrefix(conv, names[s]) {
					t.Errorf("server %s: websocket of %s, opened by the other server", names[s], conv)
				}
			default:
				count[s]++
				n, i := customerKey(t, q.header.Get("Idempotency-Key"))
				if want := (n + i + 1) % 2; s != want { // open, then messages 0, 1… in turn
					t.Errorf("message %d of customer %d went to %s, want %s", i, n, names[s], names[want])
				}
				if !strings.HasPrefix(conv, names[n%2]) {
					t.Errorf("customer %d talks in %s, want a conversation opened by %s", n, conv, names[n%2])
				}
				if c, ok := conns[n]; ok && c != q.remote {
					t.Errorf("customer %d used connections %s and %s to %s, want one", n, c, q.remote, names[s])
				}
				conns[n] = q.remote
			}
		}
		if opens != customers/2 {
			t.Errorf("server %s: got %d conversations opened, want %d", names[s], opens, customers/2)
		}
	}
	if d := count[0] - count[1]; d < -customers || d > customers || count[0] == 0 {
		t.Errorf("got %v requests per server, want halves", count)
	}
}

// customerKey reads the customer and message numbers of an Idempotency-Key "c<n>-<i>".
func customerKey(t *testing.T, key string) (n, i int) {
	t.Helper()
	a, b, ok := strings.Cut(strings.TrimPrefix(key, "c"), "-")
	n, err1 := strconv.Atoi(a)
	i, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil {
		t.Fatalf("got Idempotency-Key %q, want c<n>-<i>", key)
	}
	return n, i
}

func TestServerURLs(t *testing.T) {
	got, err := serverURLs(Config{URL: "http://a:1/"})
	if err != nil || !slices.Equal(got, []string{"http://a:1"}) {
		t.Errorf("URL alone: got %v %v", got, err)
	}
	got, err = serverURLs(Config{URL: "http://ignored", URLs: []string{"http://a:1", "https://b/base/"}})
	if err != nil || !slices.Equal(got, []string{"http://a:1", "https://b/base"}) {
		t.Errorf("URLs: got %v %v", got, err)
	}
	for _, urls := range [][]string{
		{"http://a:1", ""},
		{"ftp://a"},
		{"127.0.0.1:8080"},
		{"http://"},
		{"http://a:1", "ws://b:2"},
	} {
		_, err := Run(context.Background(), Config{URLs: urls, Customers: 1, Duration: time.Second})
		if err == nil || !strings.Contains(err.Error(), "adresse de serveur") {
			t.Errorf("%q: got %v, want an error on the address", urls, err)
		}
	}
}

func TestAgentURL(t *testing.T) {
	r := &run{cfg: Config{URLs: []string{"http://a", "http://b"}}}
	for i, want := range []string{"http://a", "http://b", "http://a"} {
		if got := r.agentURL(i + 1); got != want {
			t.Errorf("agent %d: got %s, want %s", i+1, got, want)
		}
	}
}

func TestPrintServers(t *testing.T) {
	for _, tt := range []struct {
		urls []string
		want bool
	}{{[]string{"http://a"}, false}, {[]string{"http://a", "http://b"}, true}} {
		var out bytes.Buffer
		Result{URLs: tt.urls, Elapsed: time.Second}.Print(&out)
		got := strings.Contains(out.String(), "serveurs         2 (requêtes des clients tour à tour) : http://a, http://b")
		if got != tt.want {
			t.Errorf("%v: got %q, want the servers line: %v", tt.urls, out.String(), tt.want)
		}
	}
}
