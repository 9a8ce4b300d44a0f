package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/store/storetest"
)

// TestDeskHealsAfterAFailoverThatRolledBack runs a master, a replica and a Sentinel of its
// own and a server on redis+sentinel:// with an agent holding a conversation. It cuts the
// replication (the master refuses PSYNC to its replica, which stays up and eligible), lets the
// customer write messages that the agent's desk shows, then forces the failover: the promoted
// replica does not have them, and the new messages reuse their numbers. The desk must be told
// to reload (a reset envelope, or the transcript of an assigned envelope on its reconnection)
// and end up showing the store's transcript, the messages written after the failover included.
func TestDeskHealsAfterAFailoverThatRolledBack(t *testing.T) {
	bin := storetest.RedisServer(t)
	rs := startSentinel(t, bin)
	st := rs.open(t)
	ctx := context.Background()
	cfg := testConfig()
	cfg.SafetyPoll = time.Second
	d := startDesk(t, st, cfg)
	d.addAgent(t, "agent-bascule")
	view := watchDesk(t, d, d.login(t, "agent-bascule"))
	view.awaitReady(t)
	c := d.open(t)
	d.say(t, c, "conseiller")
	say := func(text string) { sayThrough(t, d.instance, c, text) }
	say("avant la coupure")
	view.awaitText(t, "avant la coupure")

	// The replica stops receiving the master's writes, and is not told so.
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(rs.master.Do(ctx, "ACL", "SETUSER", "default", "-psync", "-sync").Err())
	must(rs.master.Do(ctx, "CLIENT", "KILL", "TYPE", "replica").Err())
	waitFor(t, 10*time.Second, "réplication coupée", func() bool {
		info, _ := rs.replica.Info(ctx, "replication").Result()
		return strings.Contains(info, "master_link_status:down")
	})
	lostTexts := []string{"perdu 1", "perdu 2", "perdu 3"}
	for _, text := range lostTexts {
		say(text)
		view.awaitText(t, text)
	}

	rs.failover(t)
	// Sentinel turns the old master into a replica of the new one a few seconds later: its
	// writes since the cut are gone then.
	waitFor(t, 30*time.Second, "ancien maître devenu réplique", func() bool {
		info, _ := rs.master.Info(ctx, "replication").Result()
		return strings.Contains(info, "role:slave") && strings.Contains(info, "master_link_status:up")
	})
	for i := 1; i <= 3; i++ {
		say(fmt.Sprintf("après %d", i))
	}

	transcript := readAll(t, d.instance, c)
	lost := 0
	for _, text := range lostTexts {
		if !hasText(transcript, text) {
			lost++
		}
	}
	if lost == 0 {
		t.Fatal("the failover lost none of the messages written without replication: the test proves nothing")
	}
	healed := view.await(transcript, 20*time.Second)
	resets, reloads := view.counts()
	t.Logf("bascule : %d messages montrés au bureau puis perdus ; %d reset, %d rechargements (assigned à la reconnexion) ; vue du bureau conforme au stockage : %v",
		lost, resets, reloads, healed)
	if resets+reloads == 0 {
		t.Fatal("the desk showed events the store lost and was never told to reload")
	}
	if !healed {
		t.Fatalf("the desk shows %v, the store holds %d events", view.seqs(), len(transcript))
	}
}

// sayThrough posts text to c, again while Redis switches over (503), with one Idempotency-Key.
func sayThrough(t *testing.T, in *instance, c created, text string) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	waitFor(t, 30*time.Second, "message « "+text+" » acquitté", func() bool {
		_, status := postKeyed(client, in.url, c, text, "k-"+text)
		return status == http.StatusOK
	})
}

func hasText(events []conversation.Event, text string) bool {
	for _, ev := range events {
		if ev.Text == text {
			return true
		}
	}
	return false
}

// deskView is what a desk shows of its one conversation, as static/web/desk.js keeps it: the
// transcript of an assigned or reset envelope replaces what it shows, events add to it; it
// makes the agent Prêt, accepts the first offer, and reconnects when its socket closes.
type deskView struct {
	mu      sync.Mutex
	shown   map[int64]string // seq → type:text
	ready   bool
	resets  int
	assigns int // assigned envelopes: the first one, then one per reconnection
	change  chan struct{}
}

func watchDesk(t *testing.T, d *deskInstance, cookie *http.Cookie) *deskView {
	v := &deskView{shown: map[int64]string{}, change: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		h := http.Header{}
		h.Set("Cookie", cookie.Name+"="+cookie.Value)
		u := "ws" + strings.TrimPrefix(d.url, "http") + "/api/v1/agent/ws"
		for ctx.Err() == nil {
			ws, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: h})
			if err != nil {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			v.read(ctx, ws)
			ws.CloseNow()
		}
	}()
	return v
}

// read handles one socket's envelopes until it closes.
func (v *deskView) read(ctx context.Context, ws *websocket.Conn) {
	write := func(cmd map[string]string) {
		data, _ := json.Marshal(cmd)
		ws.Write(ctx, websocket.MessageText, data)
	}
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			return
		}
		var m deskMsg
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		switch m.Type {
		case "state":
			if m.State == "not_ready" || m.State == "offline" {
				write(map[string]string{"type": "set_state", "state": "ready"})
			}
		case "offer":
			write(map[string]string{"type": "accept", "task_id": m.Task.ID})
		}
		v.take(m)
	}
}

func (v *deskView) take(m deskMsg) {
	v.mu.Lock()
	switch {
	case m.Type == "state":
		v.ready = m.State == "ready"
	case (m.Type == "assigned" || m.Type == "reset") && m.Conversation != nil:
		if m.Type == "reset" {
			v.resets++
		} else {
			v.assigns++
		}
		v.shown = map[int64]string{}
		for _, ev := range m.Conversation.Events {
			if ev.Seq > 0 {
				v.shown[ev.Seq] = ev.Type + ":" + ev.Text
			}
		}
	case m.Type == "event" && m.Event != nil && m.Event.Seq > 0:
		v.shown[m.Event.Seq] = m.Event.Type + ":" + m.Event.Text
	}
	v.mu.Unlock()
	select {
	case v.change <- struct{}{}:
	default:
	}
}

// counts are the resets and the reloads by an assigned envelope after the first one.
func (v *deskView) counts() (resets, reloads int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.resets, max(v.assigns-1, 0)
}

func (v *deskView) seqs() map[int64]string {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make(map[int64]string, len(v.shown))
	for k, s := range v.shown {
		out[k] = s
	}
	return out
}

// until waits until cond holds on the view, false after d.
func (v *deskView) until(d time.Duration, cond func() bool) bool {
	timeout := time.After(d)
	for {
		v.mu.Lock()
		ok := cond()
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

func (v *deskView) awaitReady(t *testing.T) {
	t.Helper()
	if !v.until(10*time.Second, func() bool { return v.ready }) {
		t.Fatal("the agent is never Prêt")
	}
}

func (v *deskView) awaitText(t *testing.T, text string) {
	t.Helper()
	if !v.until(10*time.Second, func() bool {
		for _, s := range v.shown {
			if strings.HasSuffix(s, ":"+text) {
				return true
			}
		}
		return false
	}) {
		t.Fatalf("the desk never shows « %s »: %v", text, v.seqs())
	}
}

// await waits until the view is exactly transcript, false after d.
func (v *deskView) await(transcript []conversation.Event, d time.Duration) bool {
	return v.until(d, func() bool {
		ok := len(v.shown) == len(transcript)
		for _, ev := range transcript {
			ok = ok && v.shown[ev.Seq] == ev.Type+":"+ev.Text
		}
		return ok
	})
}
