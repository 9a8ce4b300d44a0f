package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/store/storetest"
)

// historyPage is a transcript as the desk receives it: on « assigned » and from the
// paging route.
type historyPage struct {
	ID     string               `json:"id"`
	Events []conversation.Event `json:"events"`
	Older  bool                 `json:"older"`
}

// fillConversation appends n events to conversation id: short messages, then, for the last
// long ones, messages of 2,000 characters (4,000 bytes in JSON), so that both caps of the
// « assigned » transcript (events and bytes) come into play.
func fillConversation(t testing.TB, d *deskInstance, id string, n, long int) {
	t.Helper()
	conv := conversation.NewStore(d.st, conversation.Options{MaxEvents: -1})
	ctx := context.Background()
	for done := 0; done < n; {
		var batch []conversation.Event
		for ; done < n && len(batch) < 100; done++ {
			text := "Message " + strconv.Itoa(done+1) + " : " + strings.Repeat("ma commande n'est pas arrivée, ", 6)
			if done >= n-long {
				text = strings.Repeat("é", 2000)
			}
			from := conversation.FromCustomer
			if done%2 == 1 {
				from = conversation.FromBot
			}
			batch = append(batch, conversation.Message(from, text, nil))
		}
		if _, err := conv.Append(ctx, id, batch, conversation.AppendOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// rawDesk is an agent websocket read without a size limit; it returns each envelope as
// sent.
type rawDesk struct {
	ws *websocket.Conn
}

func openRawDesk(t testing.TB, d *deskInstance, cookie *http.Cookie) *rawDesk {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := http.Header{}
	h.Set("Cookie", cookie.Name+"="+cookie.Value)
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(d.url, "http")+"/api/v1/agent/ws", &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	ws.SetReadLimit(-1)
	return &rawDesk{ws: ws}
}

// await reads envelopes until one of type typ for which ok holds, and returns it decoded
// and as sent.
func (r *rawDesk) await(t testing.TB, typ string, ok func(deskMsg) bool) (deskMsg, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, data, err := r.ws.Read(ctx)
		if err != nil {
			t.Fatalf("waiting for %s: %v", typ, err)
		}
		var m deskMsg
		if json.Unmarshal(data, &m) == nil && m.Type == typ && ok(m) {
			return m, data
		}
	}
}

func (r *rawDesk) send(t testing.TB, cmd map[string]string) {
	t.Helper()
	data, _ := json.Marshal(cmd)
	if err := r.ws.Write(context.Background(), websocket.MessageText, data); err != nil {
		t.Fatal(err)
	}
}

func anyMsg(deskMsg) bool { return true }

// A conversation of 3,000 events reaches the agent with its end only, within 64 KB, and the
// desk pages back to its first event, every event exactly once.
func TestAssignedCarriesTheEndAndTheDeskPagesBack(t *testing.T) {
	cfg := testConfig()
	cfg.MaxEvents = 0 // no cap: 3,000 events
	d := startDesk(t, storetest.Open(t), cfg)
	alice := d.addAgent(t, "alice")
	cookie := d.session(t, alice.ID)
	dk := openRawDesk(t, d, cookie)
	dk.send(t, map[string]string{"type": "set_state", "state": "ready"})
	dk.await(t, "state", func(m deskMsg) bool { return m.State == "ready" })
	c := d.open(t)
	fillConversation(t, d, c.ID, 3000, 40)
	d.say(t, c, "conseiller")
	offer, _ := dk.await(t, "offer", anyMsg)
	dk.send(t, map[string]string{"type": "accept", "task_id": offer.Task.ID})
	dk.await(t, "assigned", anyMsg)

	// Another desk of the agent gets the conversation on opening: the same envelope.
	began := time.Now()
	_, data := openRawDesk(t, d, cookie).await(t, "assigned", anyMsg)
	took := time.Since(began)
	var assigned struct {
		Conversation historyPage `json:"conversation"`
	}
	if err := json.Unmarshal(data, &assigned); err != nil {
		t.Fatal(err)
	}
	whole, _ := mustDesk[historyPage](t, d, cookie, http.StatusOK, "GET", "/conversations/"+c.ID+"/events", "")
	total := len(whole.Events)
	wholeJSON, _ := json.Marshal(whole)
	tr := assigned.Conversation
	t.Logf("%d events: assigned %d bytes with %d events, received %v after the dial (the whole transcript: %d bytes)",
		total, len(data), len(tr.Events), took, len(wholeJSON))
	if total < 3000 {
		t.Fatalf("the conversation holds %d events, want 3,000 or more", total)
	}
	if len(data) > 64<<10 {
		t.Errorf("assigned is %d bytes, want at most 64 KB", len(data))
	}
	if len(tr.Events) == 0 || !tr.Older || tr.Events[len(tr.Events)-1].Seq != whole.Events[total-1].Seq {
		t.Fatalf("assigned: %d events, older %v; want the end of the transcript and older true", len(tr.Events), tr.Older)
	}

	seen := map[int64]int{}
	for _, ev := range tr.Events {
		seen[ev.Seq]++
	}
	pages := 0
	for before, older := tr.Events[0].Seq, tr.Older; older; pages++ {
		p, _ := mustDesk[historyPage](t, d, cookie, http.StatusOK, "GET",
			"/conversations/"+c.ID+"/events?before="+strconv.FormatInt(before, 10)+"&limit=500", "")
		if len(p.Events) == 0 || p.Events[len(p.Events)-1].Seq != before-1 {
			t.Fatalf("page before %d: %d events, want those up to %d", before, len(p.Events), before-1)
		}
		for _, ev := range p.Events {
			seen[ev.Seq]++
		}
		before, older = p.Events[0].Seq, p.Older
	}
	for _, ev := range whole.Events {
		if seen[ev.Seq] != 1 {
			t.Fatalf("event %d seen %d times, want once", ev.Seq, seen[ev.Seq])
		}
	}
	if len(seen) != total {
		t.Errorf("paged %d events in %d pages, want %d", len(seen), pages, total)
	}
}

// The paging route: its default and its limits.
func TestDeskEventsPage(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	bob := d.addAgent(t, "bob")
	cookie := d.session(t, bob.ID)
	c := d.open(t)
	fillConversation(t, d, c.ID, 250, 0)

	end, _ := mustDesk[historyPage](t, d, cookie, http.StatusOK, "GET", "/conversations/"+c.ID+"/events?limit=30", "")
	last := end.Events[len(end.Events)-1].Seq
	if len(end.Events) != 30 || !end.Older || end.Events[0].Seq != last-29 {
		t.Errorf("limit=30: %d events from %d to %d, older %v; want the last 30", len(end.Events), end.Events[0].Seq, last, end.Older)
	}
	first, _ := mustDesk[historyPage](t, d, cookie, http.StatusOK, "GET", "/conversations/"+c.ID+"/events?before=11", "")
	if len(first.Events) != 10 || first.Events[0].Seq != 1 || first.Older {
		t.Errorf("before=11: %d events, older %v; want seqs 1 to 10 and older false", len(first.Events), first.Older)
	}
	for _, q := range []string{"before=0", "before=x", "limit=0", "limit=501", "before=5&limit=-1"} {
		status, _, body := d.deskCall(t, cookie, "GET", "/conversations/"+c.ID+"/events?"+q, "")
		if status != http.StatusBadRequest || !strings.Contains(string(body), "invalid") {
			t.Errorf("%s: got %d %s, want 400 invalid", q, status, body)
		}
	}
	if status, _, _ := d.deskCall(t, cookie, "GET", "/conversations/"+strings.Repeat("a", 22)+"/events?before=5", ""); status != http.StatusNotFound {
		t.Errorf("unknown conversation: got %d, want 404", status)
	}
}
