package privacy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/dialog"
	"github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/privacy"
	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

var ctx = context.Background()

var operator = privacy.Actor{By: "dpo-test", From: "cli@test"}

// world is a person with everything Relais can hold about them, and a second person who
// must keep all of theirs.
type world struct {
	st        *store.Store
	svc       *privacy.Service
	desk      *desk.Desk
	convs     *conversation.Store
	amelie    desk.Customer
	bruno     desk.Customer
	ameliesC  []string // her conversations
	brunosC   string
	created   []string // ids of the desk records made for her
	secrets   []string // her identifiers, which no key may hold after her erasure
	anonymous string   // a conversation of nobody known
}

func mustNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// conversationWith creates a conversation holding text in a message, in a note, in the name of
// an attachment, in its bot session, its « told » key and an idempotency record.
func (w *world) conversationWith(t *testing.T, text string) string {
	t.Helper()
	c, err := w.convs.Create(ctx)
	mustNoErr(t, err)
	_, err = w.convs.Append(ctx, c.ID, []conversation.Event{
		conversation.Message(conversation.FromCustomer, text, nil),
		conversation.Message(conversation.FromBot, "Merci, un conseiller arrive.", nil)}, conversation.AppendOptions{})
	mustNoErr(t, err)
	_, err = w.convs.AddNote(ctx, c.ID, conversation.Note{AgentID: "agent-1", AgentName: "Agent A", Text: "Note : " + text})
	mustNoErr(t, err)
	_, err = w.convs.PutAttachment(ctx, c.ID, "Pièce de "+text+".png", []byte("\x89PNG\r\n\x1a\n"+text),
		conversation.AttachmentQuota{Files: 5, Bytes: 1 << 20})
	mustNoErr(t, err)
	session := (&dialog.RedisSessions{Store: w.st}).Key(c.ID)
	slots, _ := json.Marshal(map[string]any{"slots": map[string]string{"texte": text}})
	mustNoErr(t, w.st.Client.Set(ctx, session, slots, time.Hour).Err())
	mustNoErr(t, w.st.Client.Set(ctx, w.st.Key("conv", "{"+c.ID+"}", "told"), "2|0", time.Hour).Err())
	mustNoErr(t, w.st.Client.Set(ctx, w.st.Key("conv", "{"+c.ID+"}", "idem", "k1"), text, time.Hour).Err())
	return c.ID
}

func setUp(t *testing.T) *world { return setUpOn(t, storetest.Open(t)) }

// setUpOn is setUp on st.
func setUpOn(t *testing.T, st *store.Store) *world {
	w := &world{st: st, svc: privacy.New(st, privacy.Options{}), desk: desk.New(st, nil),
		convs: conversation.NewStore(st, conversation.Options{})}
	var err error
	w.amelie, err = w.desk.CreateCustomer(ctx, desk.CustomerFields{Name: "Amélie Durand",
		Email: "Amelie.Durand@example.fr", Phone: "06 12 34 56 78", Address: "12 rue des Lilas, Lyon",
		AccountNumber: "ACC-7781", Notes: "préfère être appelée le matin"}, "agent-1")
	mustNoErr(t, err)
	w.bruno, err = w.desk.CreateCustomer(ctx, desk.CustomerFields{Name: "Bruno Martin",
		Email: "bruno.martin@example.fr", Phone: "07 00 00 00 01"}, "agent-1")
	mustNoErr(t, err)
	w.secrets = []string{w.amelie.ID, "amelie.durand@example.fr", "0612345678", "06 12 34 56 78",
		"Amélie", "Durand", "ACC-7781", "acc-7781", "rue des Lilas"}
	about := "Je suis Amélie Durand, amelie.durand@example.fr, 06 12 34 56 78"

	// A chat an agent took, tagged and ended.
	c1 := w.conversationWith(t, about)
	in, err := w.desk.Attach(ctx, desk.Taken{TaskID: "task-a1", ConversationID: c1, CustomerID: w.amelie.ID,
		AgentID: "agent-1", AgentName: "Agent A", Intent: "suivi_commande", Summary: "Amélie Durand : colis"})
	mustNoErr(t, err)
	a, err := w.desk.AddTag(ctx, in.Activity.ID, in.Activity.Version, "Livraison", "agent-1")
	mustNoErr(t, err)
	_, err = w.desk.EndActivity(ctx, "task-a1", "agent-1")
	mustNoErr(t, err)
	w.created = append(w.created, in.Request.ID, a.ID)

	// A conversation with a signed identity, where she left a message.
	c2 := w.conversationWith(t, "Rappelez-moi au 06 12 34 56 78")
	mustNoErr(t, w.desk.SetConversationCustomer(ctx, c2, w.amelie.ID, time.Hour))
	left, err := w.desk.LeaveMessage(ctx, desk.LeftMessage{ConversationID: c2, CustomerID: w.amelie.ID,
		Message: "Rappelez-moi au 06 12 34 56 78, Amélie Durand"})
	mustNoErr(t, err)
	w.created = append(w.created, left.Request.ID, left.Activity.ID)

	// An anonymous chat the agent then linked to her.
	c3 := w.conversationWith(t, "mon e-mail : amelie.durand@example.fr")
	anon, err := w.desk.Attach(ctx, desk.Taken{TaskID: "task-a3", ConversationID: c3, AgentID: "agent-2", AgentName: "Agent B"})
	mustNoErr(t, err)
	_, err = w.desk.Link(ctx, c3, w.amelie.ID, time.Hour, "agent-2")
	mustNoErr(t, err)
	w.created = append(w.created, anon.Activity.ID)

	// A request an agent opened for her by hand.
	r, err := w.desk.CreateRequest(ctx, w.amelie.ID, desk.RequestFields{Title: "Remboursement Amélie Durand"}, "agent-1")
	mustNoErr(t, err)
	w.created = append(w.created, r.ID)
	w.ameliesC = []string{c1, c2, c3}
	w.secrets = append(w.secrets, c1, c2, c3)

	// Bruno's conversation and message, which must stay.
	w.brunosC = w.conversationWith(t, "Bruno Martin, bruno.martin@example.fr")
	_, err = w.desk.LeaveMessage(ctx, desk.LeftMessage{ConversationID: w.brunosC, CustomerID: w.bruno.ID, Message: "Bruno rappelle"})
	mustNoErr(t, err)

	// A conversation of nobody known, with a left message.
	w.anonymous = w.conversationWith(t, "Client anonyme Zoé 09 87 65 43 21")
	_, err = w.desk.LeaveMessage(ctx, desk.LeftMessage{ConversationID: w.anonymous, Message: "Zoé au 09 87 65 43 21"})
	mustNoErr(t, err)
	return w
}

// dump returns every key of the test's prefix with its whole content, one line per key:
// strings, hashes, lists, sets, sorted sets and streams. On a Redis Cluster it reads every
// master.
func dump(t *testing.T, st *store.Store) string {
	t.Helper()
	var b strings.Builder
	each := func(ctx context.Context, c *redis.Client) error {
		iter := c.Scan(ctx, 0, st.Prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			fmt.Fprintf(&b, "%s\n", describe(t, c, iter.Val()))
		}
		return iter.Err()
	}
	var err error
	switch c := st.Client.(type) {
	case *redis.ClusterClient:
		var mu sync.Mutex
		err = c.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error {
			mu.Lock()
			defer mu.Unlock()
			return each(ctx, n)
		})
	case *redis.Client:
		err = each(ctx, c)
	default:
		t.Fatalf("store client %T", c)
	}
	mustNoErr(t, err)
	return b.String()
}

// describe is key k with its type and its whole content.
func describe(t *testing.T, c *redis.Client, k string) string {
	typ, err := c.Type(ctx, k).Result()
	mustNoErr(t, err)
	var v any
	switch typ {
	case "string":
		v, err = c.Get(ctx, k).Result()
	case "hash":
		v, err = c.HGetAll(ctx, k).Result()
	case "list":
		v, err = c.LRange(ctx, k, 0, -1).Result()
	case "set":
		v, err = c.SMembers(ctx, k).Result()
	case "zset":
		v, err = c.ZRangeWithScores(ctx, k, 0, -1).Result()
	case "stream":
		v, err = c.XRange(ctx, k, "-", "+").Result()
	}
	if err != nil && err != redis.Nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%s %s %v", k, typ, v)
}

// assertGone fails when a key or a value of the store holds one of secrets.
func assertGone(t *testing.T, all string, secrets []string) {
	t.Helper()
	low := strings.ToLower(all)
	for _, s := range secrets {
		if strings.Contains(low, strings.ToLower(s)) {
			for _, line := range strings.Split(all, "\n") {
				if strings.Contains(strings.ToLower(line), strings.ToLower(s)) {
					t.Errorf("%q still in: %.300s", s, line)
				}
			}
		}
	}
}

func TestExportHoldsEveryRecordOfThePerson(t *testing.T) {
	w := setUp(t)
	x, rep, err := w.svc.Export(ctx, privacy.Subject{Email: "AMELIE.durand@example.fr"}, operator)
	mustNoErr(t, err)
	doc, err := json.Marshal(x)
	mustNoErr(t, err)
	text := string(doc)
	for _, want := range append(append([]string{w.amelie.ID, "Amélie Durand", "12 rue des Lilas, Lyon",
		"préfère être appelée le matin", "Livraison", "Rappelez-moi au 06 12 34 56 78, Amélie Durand",
		"Note : Je suis Amélie", "Remboursement Amélie Durand", "mon e-mail : amelie.durand@example.fr",
		`"texte":"Rappelez-moi`}, w.created...), w.ameliesC...) {
		if !strings.Contains(text, want) {
			t.Errorf("export lacks %q", want)
		}
	}
	for _, other := range []string{w.bruno.ID, "Bruno", w.brunosC, w.anonymous, "Zoé"} {
		if strings.Contains(text, other) {
			t.Errorf("export holds %q, which is not hers", other)
		}
	}
	if x.Format != privacy.ExportFormat || len(x.Conversations) != 3 || len(x.Requests) != 3 {
		t.Errorf("format %q, %d conversations, %d requests; want 3 and 3", x.Format, len(x.Conversations), len(x.Requests))
	}
	for _, c := range x.Conversations {
		if !c.Found || len(c.Events) != 2 || len(c.Notes) != 1 || c.BotSession == nil {
			t.Errorf("conversation %s: found %v, %d events, %d notes, session %s", c.ID, c.Found, len(c.Events), len(c.Notes), c.BotSession)
		}
		if len(c.Attachments) != 1 || c.Attachments[0].Type != "image/png" || !strings.HasPrefix(c.Attachments[0].Name, "Pièce de ") {
			t.Errorf("conversation %s: attachments %+v, want its one PNG described", c.ID, c.Attachments)
		}
	}
	if rep.Action != privacy.ActionExport || rep.Counts["conversations"] != 3 || rep.Counts["activities"] != 3 ||
		rep.Counts["attachments"] != 3 {
		t.Errorf("audit entry %+v", rep)
	}
}

func TestEraseLeavesNothingOfThePerson(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *store.Store{"redis": storetest.Open, "cluster": storetest.Cluster} {
		t.Run(name, func(t *testing.T) { eraseLeavesNothing(t, setUpOn(t, open(t))) })
	}
}

// eraseLeavesNothing erases w's person: none of her identifiers is left in any key of any
// master, and the other person keeps his.
func eraseLeavesNothing(t *testing.T, w *world) {
	before := dump(t, w.st)
	if !strings.Contains(before, w.amelie.ID) || !strings.Contains(before, "Durand") {
		t.Fatal("the set-up holds nothing of hers: the test would prove nothing")
	}
	rep, err := w.svc.Erase(ctx, privacy.Subject{CustomerID: w.amelie.ID}, operator)
	mustNoErr(t, err)
	want := map[string]int64{"conversations": 3, "events": 6, "notes": 3, "attachments": 3, "bot_sessions": 3,
		"customers": 1, "requests": 3, "activities": 3, "left_messages": 1, "tags": 1}
	for k, n := range want {
		if rep.Counts[k] != n {
			t.Errorf("counts[%s] = %d, want %d (%v)", k, rep.Counts[k], n, rep.Counts)
		}
	}
	assertGone(t, dump(t, w.st), w.secrets)
	for _, c := range w.ameliesC {
		if _, err := w.convs.Owner(ctx, c); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("conversation %s: %v, want not found", c, err)
		}
	}
	if _, err := w.desk.Customer(ctx, w.amelie.ID); err != desk.ErrCustomerNotFound {
		t.Errorf("customer: %v", err)
	}
	// Bruno keeps everything.
	found, err := w.desk.SearchCustomers(ctx, desk.Search{Email: "bruno.martin@example.fr"})
	mustNoErr(t, err)
	if len(found) != 1 {
		t.Errorf("Bruno's e-mail finds %d customers", len(found))
	}
	if ev, err := w.convs.Events(ctx, w.brunosC, 0, 0); err != nil || len(ev) != 2 {
		t.Errorf("Bruno's conversation: %d events, %v", len(ev), err)
	}
	if msgs, _ := w.desk.Messages(ctx); len(msgs) != 2 {
		t.Errorf("%d left messages remain, want Bruno's and the anonymous one", len(msgs))
	}

	// Again: nothing more to erase, and the proof is recorded once more.
	again, err := w.svc.Erase(ctx, privacy.Subject{CustomerID: w.amelie.ID}, operator)
	mustNoErr(t, err)
	for k, n := range again.Counts {
		if n != 0 {
			t.Errorf("second erasure: counts[%s] = %d", k, n)
		}
	}
	entries, err := w.svc.Audit.Entries(ctx, 0)
	mustNoErr(t, err)
	if len(entries) != 2 || entries[0].SubjectHash != privacy.SubjectHash(privacy.SubjectCustomer, w.amelie.ID) ||
		entries[0].By != "dpo-test" || entries[0].Counts["customers"] != 1 {
		t.Errorf("audit entries %+v", entries)
	}
}

func TestEraseAnAnonymousConversation(t *testing.T) {
	w := setUp(t)
	rep, err := w.svc.Erase(ctx, privacy.Subject{ConversationID: w.anonymous}, operator)
	mustNoErr(t, err)
	if rep.Counts["conversations"] != 1 || rep.Counts["left_messages"] != 1 || rep.Counts["requests"] != 1 {
		t.Errorf("counts %v", rep.Counts)
	}
	assertGone(t, dump(t, w.st), []string{w.anonymous, "Zoé", "0987654321", "09 87 65 43 21"})
	if _, err := w.convs.Owner(ctx, w.anonymous); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("conversation: %v, want not found", err)
	}
	if _, err := w.desk.Customer(ctx, w.amelie.ID); err != nil {
		t.Errorf("Amélie's record went too: %v", err)
	}
}

func TestSubjects(t *testing.T) {
	w := setUp(t)
	_, err := w.desk.CreateCustomer(ctx, desk.CustomerFields{Name: "Homonyme", Phone: "0612345678"}, "agent-1")
	mustNoErr(t, err)
	for name, sub := range map[string]privacy.Subject{
		"none":         {},
		"two":          {CustomerID: w.amelie.ID, Email: "x@example.fr"},
		"shared phone": {Phone: "06 12 34 56 78"},
		"no one":       {Email: "personne@example.fr"},
		"bad conv":     {ConversationID: "court"},
	} {
		if _, err := w.svc.Erase(ctx, sub, operator); err == nil {
			t.Errorf("%s: erased", name)
		}
	}
	if _, err := w.svc.Erase(ctx, privacy.Subject{CustomerID: w.amelie.ID}, privacy.Actor{}); err == nil {
		t.Error("erased without saying who asks")
	}
	if _, err := w.desk.Customer(ctx, w.amelie.ID); err != nil {
		t.Errorf("a refused erasure erased: %v", err)
	}
	rep, err := w.svc.Erase(ctx, privacy.Subject{Phone: "07.00.00.00.01"}, operator)
	mustNoErr(t, err)
	if rep.Counts["customers"] != 1 {
		t.Errorf("by phone: %v", rep.Counts)
	}
}

func TestAuditKeepsItsRetention(t *testing.T) {
	st := storetest.Open(t)
	now := time.Now()
	audit := privacy.NewAudit(st, time.Hour, func() time.Time { return now })
	_, err := audit.Record(ctx, privacy.Entry{Action: privacy.ActionErase, By: "a", Subject: privacy.SubjectCustomer})
	mustNoErr(t, err)
	now = now.Add(30 * time.Minute)
	_, err = audit.Record(ctx, privacy.Entry{Action: privacy.ActionExport, By: "b", Subject: privacy.SubjectCustomer})
	mustNoErr(t, err)
	now = now.Add(45 * time.Minute)
	_, err = audit.Record(ctx, privacy.Entry{Action: privacy.ActionExport, By: "c", Subject: privacy.SubjectCustomer})
	mustNoErr(t, err)
	entries, err := audit.Entries(ctx, 0)
	mustNoErr(t, err)
	var by []string
	for _, e := range entries {
		by = append(by, e.By)
	}
	if strings.Join(by, ",") != "b,c" {
		t.Errorf("entries by %v, want b,c (a is past the hour)", by)
	}
}
