package privacy_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/dialog"
	"github.com/relais/relais/handoff"
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
	clock     *time.Time
	router    *handoff.Router
	agent     string // the agent of the routing tasks
}

// advance moves the world's clock.
func (w *world) advance(d time.Duration) { *w.clock = w.clock.Add(d) }

func mustNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// conversationWith creates a conversation holding text in a message, in a note, in the name of
// an attachment, in its bot session, its « told » key, an idempotency record and the desk's
// text index.
func (w *world) conversationWith(t *testing.T, text string) string {
	t.Helper()
	c, err := w.convs.Create(ctx)
	mustNoErr(t, err)
	_, err = w.convs.Append(ctx, c.ID, []conversation.Event{
		conversation.Message(conversation.FromCustomer, text, nil),
		conversation.Message(conversation.FromBot, "Merci, un conseiller arrive.", nil)}, conversation.AppendOptions{})
	mustNoErr(t, err)
	mustNoErr(t, w.desk.IndexText(ctx, c.ID, []desk.Line{{Seq: 1, At: time.Now(), Text: text}}, 2))
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

// route gives her conversations routing tasks in every state: ended handled for done, held
// by the agent for held, offered to them for offered. It returns the tasks' ids.
func (w *world) route(t *testing.T, done, offered, held string) []string {
	t.Helper()
	acc := handoff.NewAccounts(w.st, handoff.AccountOptions{Cost: 10})
	ag, err := acc.Add(ctx, handoff.NewAgent{Login: "agent-routage", Name: "Agent R", Password: "Lyon-Quai-Saint-Vincent-42", Capacity: 3})
	mustNoErr(t, err)
	w.agent = ag.ID
	_, err = w.router.Connect(ctx, ag.ID, "desk-1")
	mustNoErr(t, err)
	_, err = w.router.SetState(ctx, ag.ID, handoff.StateReady)
	mustNoErr(t, err)
	var ids []string
	take := func(conv string) handoff.Task {
		task, _, err := w.router.Enqueue(ctx, handoff.NewTask{ConversationID: conv, CustomerID: w.amelie.ID,
			Summary: "Amélie Durand : colis", Intent: "suivi_commande"})
		mustNoErr(t, err)
		if task.State != handoff.TaskOffered {
			t.Fatalf("task of %s %s, want offered", conv, task.State)
		}
		ids = append(ids, task.ID)
		return task
	}
	first := take(done)
	_, _, err = w.router.Accept(ctx, ag.ID, first.ID)
	mustNoErr(t, err)
	_, err = w.router.Close(ctx, ag.ID, done)
	mustNoErr(t, err)
	_, _, err = w.router.Accept(ctx, ag.ID, take(held).ID)
	mustNoErr(t, err)
	take(offered)
	return ids
}

// setUpOn is setUp on st.
func setUpOn(t *testing.T, st *store.Store) *world {
	now := time.Now()
	clock := func() time.Time { return now }
	router := handoff.NewRouter(st, handoff.Options{Now: clock})
	w := &world{st: st, svc: privacy.New(st, privacy.Options{Now: clock, Router: router}), desk: desk.New(st, nil),
		convs: conversation.NewStore(st, conversation.Options{}), clock: &now, router: router}
	var err error
	w.amelie, err = w.desk.CreateCustomer(ctx, desk.CustomerFields{Name: "Amélie Durand",
		Email: "Amelie.Durand@example.fr", Phone: "06 12 34 56 78", Address: "12 rue des Lilas, Lyon",
		AccountNumber: "ACC-7781", Notes: "préfère être appelée le matin"}, "agent-1")
	mustNoErr(t, err)
	w.bruno, err = w.desk.CreateCustomer(ctx, desk.CustomerFields{Name: "Bruno Martin",
		Email: "bruno.martin@example.fr", Phone: "07 00 00 00 01"}, "agent-1")
	mustNoErr(t, err)
	w.secrets = []string{w.amelie.ID, "amelie.durand@example.fr", "0612345678", "06 12 34 56 78",
		"Amélie", "amelie", "Durand", "ACC-7781", "acc-7781", "rue des Lilas"} // amelie: her name folded, as the text index holds it
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

	w.secrets = append(w.secrets, w.route(t, c1, c2, c3)...)

	// Bruno's conversation, message and routing task, which must stay.
	w.brunosC = w.conversationWith(t, "Bruno Martin, bruno.martin@example.fr")
	_, _, err = w.router.Enqueue(ctx, handoff.NewTask{ConversationID: w.brunosC, CustomerID: w.bruno.ID, Summary: "Bruno Martin"})
	mustNoErr(t, err)
	_, err = w.desk.LeaveMessage(ctx, desk.LeftMessage{ConversationID: w.brunosC, CustomerID: w.bruno.ID, Message: "Bruno rappelle"})
	mustNoErr(t, err)

	// A conversation of nobody known, with a left message.
	w.anonymous = w.conversationWith(t, "Client anonyme Zoé 09 87 65 43 21")
	_, err = w.desk.LeaveMessage(ctx, desk.LeftMessage{ConversationID: w.anonymous, Message: "Zoé au 09 87 65 43 21"})
	mustNoErr(t, err)
	return w
}

// assertHersOnly fails when the export's document text lacks one of the records made for
// her, or holds anything of the others'.
func (w *world) assertHersOnly(t *testing.T, text string) {
	t.Helper()
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
}

// assertGone fails when a key or a value of the store holds one of secrets.
func assertGone(t *testing.T, all string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		for _, line := range storetest.Lines(all, s) {
			t.Errorf("%q still in: %.300s", s, line)
		}
	}
}

func TestExportHoldsEveryRecordOfThePerson(t *testing.T) {
	w := setUp(t)
	x, rep, err := w.svc.Export(ctx, privacy.Subject{Email: "AMELIE.durand@example.fr"}, operator)
	mustNoErr(t, err)
	doc, err := json.Marshal(x)
	mustNoErr(t, err)
	w.assertHersOnly(t, string(doc))
	if strings.Contains(string(doc), `"file"`) {
		t.Errorf("the JSON document alone names files of a ZIP: %.300s", doc)
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
		if len(c.RoutingTasks) != 1 || c.RoutingTasks[0].CustomerID != w.amelie.ID || c.RoutingTasks[0].ConversationID != c.ID ||
			c.RoutingTasks[0].Summary != "Amélie Durand : colis" {
			t.Errorf("conversation %s: routing tasks %+v, want its one task", c.ID, c.RoutingTasks)
		}
	}
	if rep.Action != privacy.ActionExport || rep.Counts["conversations"] != 3 || rep.Counts["activities"] != 3 ||
		rep.Counts["attachments"] != 3 || rep.Counts["tasks"] != 3 {
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
	before := storetest.Dump(t, w.st)
	if !strings.Contains(before, w.amelie.ID) || !strings.Contains(before, "Durand") {
		t.Fatal("the set-up holds nothing of hers: the test would prove nothing")
	}
	rep, err := w.svc.Erase(ctx, privacy.Subject{CustomerID: w.amelie.ID}, operator)
	mustNoErr(t, err)
	want := map[string]int64{"conversations": 3, "events": 6, "notes": 3, "attachments": 3, "bot_sessions": 3,
		"customers": 1, "requests": 3, "activities": 3, "left_messages": 1, "tags": 1, "tasks": 3}
	for k, n := range want {
		if rep.Counts[k] != n {
			t.Errorf("counts[%s] = %d, want %d (%v)", k, rep.Counts[k], n, rep.Counts)
		}
	}
	if rep.Counts["notices"] == 0 {
		t.Errorf("no notice of her conversations deleted (%v)", rep.Counts)
	}
	w.routingAfterErasure(t)
	assertGone(t, storetest.Dump(t, w.st), w.secrets)
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
	if f, err := w.desk.SearchText(ctx, "bruno martin"); err != nil || len(f.Hits) != 1 || f.Hits[0].ConversationID != w.brunosC {
		t.Errorf("« bruno martin » in the text index: %+v, %v; want his conversation", f, err)
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

// routingAfterErasure checks that the agent was told her live task ended and got their slot
// back, that Bruno's task is still routed, and lets the sweep delete the notices the erasure
// kept for the desks.
func (w *world) routingAfterErasure(t *testing.T) {
	t.Helper()
	notices, _, err := w.router.Notices(ctx, "0-0", 0)
	mustNoErr(t, err)
	told := false
	for _, n := range notices {
		told = told || n.Kind == handoff.NoticeErased && n.AgentID == w.agent
	}
	if !told {
		t.Errorf("the agent's desk is not told that her conversation ended: %v", notices)
	}
	if st, err := w.router.AgentStatus(ctx, w.agent); err != nil || st.Load != 0 {
		t.Errorf("agent after erasure: %+v, %v; want load 0", st, err)
	}
	if task, err := w.router.TaskOf(ctx, w.brunosC); err != nil || task.CustomerID != w.bruno.ID {
		t.Errorf("Bruno's task: %+v, %v", task, err)
	}
	w.advance(handoff.NoticeKeep + time.Second)
	_, err = w.router.Sweep(ctx)
	mustNoErr(t, err)
}

func TestEraseAnAnonymousConversation(t *testing.T) {
	w := setUp(t)
	rep, err := w.svc.Erase(ctx, privacy.Subject{ConversationID: w.anonymous}, operator)
	mustNoErr(t, err)
	if rep.Counts["conversations"] != 1 || rep.Counts["left_messages"] != 1 || rep.Counts["requests"] != 1 {
		t.Errorf("counts %v", rep.Counts)
	}
	assertGone(t, storetest.Dump(t, w.st), []string{w.anonymous, "Zoé", "0987654321", "09 87 65 43 21"})
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

// TestAuditEntriesOfOnePerson: the entries of one person are found however many entries of
// others came after them (the trail is read back page by page), oldest first, the last ones
// with a limit.
func TestAuditEntriesOfOnePerson(t *testing.T) {
	st := storetest.Open(t)
	audit := privacy.NewAudit(st, 0, nil)
	hers := privacy.SubjectHash(privacy.SubjectCustomer, "elle")
	for i := range 1203 {
		e := privacy.Entry{Action: privacy.ActionRead, By: "agent", Subject: privacy.SubjectCustomer,
			SubjectHash: privacy.SubjectHash(privacy.SubjectCustomer, "autre")}
		if i == 0 || i == 499 || i == 500 {
			e.SubjectHash, e.By = hers, "agent-"+string(rune('a'+i%26))
		}
		_, err := audit.Record(ctx, e)
		mustNoErr(t, err)
	}
	all, err := audit.EntriesOf(ctx, hers, 0)
	mustNoErr(t, err)
	if len(all) != 3 || all[0].By != "agent-a" || all[1].By != "agent-f" || all[2].By != "agent-g" {
		t.Errorf("her entries: %+v, want 3, oldest first", all)
	}
	last, err := audit.EntriesOf(ctx, hers, 2)
	mustNoErr(t, err)
	if len(last) != 2 || last[0].ID != all[1].ID || last[1].ID != all[2].ID {
		t.Errorf("her last 2: %+v, want %+v", last, all[1:])
	}
}
