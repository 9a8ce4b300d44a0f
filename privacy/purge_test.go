package privacy_test

import (
	"sync"
	"testing"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/privacy"
	"github.com/relais/relais/store/storetest"
)

// clock is a settable time for the desk and the purge.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// TestPurgeRemovesExactlyWhatIsPastItsRetention: with an injected clock, a customer last seen
// more than three years ago and a left message of nobody known more than a year old are
// listed by a dry run, which erases nothing, then erased (the message's conversation with
// its attachment); the customer seen two years ago and the recent left message (its file
// too) stay, and each erasure is in the audit trail.
func TestPurgeRemovesExactlyWhatIsPastItsRetention(t *testing.T) {
	st := storetest.Open(t)
	start := time.Date(2022, 3, 1, 10, 0, 0, 0, time.UTC)
	clk := &clock{t: start}
	d := desk.New(st, clk.now)
	convs := conversation.NewStore(st, conversation.Options{TTL: 10 * 365 * 24 * time.Hour})
	svc := privacy.New(st, privacy.Options{Now: clk.now, AuditRetention: 10 * 365 * 24 * time.Hour})

	old, err := d.CreateCustomer(ctx, desk.CustomerFields{Name: "Odile Ancienne", Email: "odile@example.fr"}, "agent-1")
	mustNoErr(t, err)
	leave := func(text string) desk.Interaction {
		c, err := convs.Create(ctx)
		mustNoErr(t, err)
		in, err := d.LeaveMessage(ctx, desk.LeftMessage{ConversationID: c.ID, Message: text, Contact: "06 11 22 33 44"})
		mustNoErr(t, err)
		_, err = convs.PutAttachment(ctx, c.ID, "photo.png", []byte("\x89PNG\r\n\x1a\n"+text), conversation.AttachmentQuota{Files: 1, Bytes: 1 << 10})
		mustNoErr(t, err)
		return in
	}
	filesOf := func(in desk.Interaction) int {
		files, err := convs.Attachments(ctx, in.Activity.ConversationID)
		mustNoErr(t, err)
		return len(files)
	}
	oldMessage := leave("Rappelez-moi, vieux message.")

	clk.set(start.AddDate(2, 0, 0))
	recent, err := d.CreateCustomer(ctx, desk.CustomerFields{Name: "Rémi Récent", Email: "remi@example.fr"}, "agent-1")
	mustNoErr(t, err)
	_, err = d.CreateRequest(ctx, old.ID, desk.RequestFields{Title: "Ancienne demande"}, "agent-1") // her last contact: now
	mustNoErr(t, err)
	clk.set(start.AddDate(2, 6, 0))
	recentMessage := leave("Rappelez-moi, message récent.")
	_, err = d.CreateRequest(ctx, recent.ID, desk.RequestFields{Title: "Demande récente"}, "agent-1") // his last contact
	mustNoErr(t, err)

	// Seven months later: the old left message is past its year, nothing else is past anything.
	clk.set(start.AddDate(2, 7, 0))
	r := privacy.Retention{Customers: privacy.DefaultCustomerRetention, Requests: privacy.DefaultRequestRetention}
	by := privacy.Actor{By: "purge", From: "test"}
	listed, err := svc.Purge(ctx, r, true, by)
	mustNoErr(t, err)
	if len(listed) != 1 || listed[0].Subject != "request" || listed[0].ID != oldMessage.Request.ID {
		t.Fatalf("dry run: got %+v, want the old left message only", listed)
	}
	if _, err := d.Request(ctx, oldMessage.Request.ID); err != nil {
		t.Fatalf("a dry run erased the old left message: %v", err)
	}
	listed, err = svc.Purge(ctx, r, false, by)
	mustNoErr(t, err)
	if len(listed) != 1 || listed[0].ID != oldMessage.Request.ID {
		t.Fatalf("purge: got %+v, want the old left message only", listed)
	}
	if _, err := d.Request(ctx, oldMessage.Request.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("the old left message's request: got %v, want not found", err)
	}
	if _, err := d.Request(ctx, recentMessage.Request.ID); err != nil {
		t.Errorf("the recent left message was erased: %v", err)
	}
	if old, recent := filesOf(oldMessage), filesOf(recentMessage); old != 0 || recent != 1 {
		t.Errorf("attachments: %d left of the old message's conversation, %d of the recent one's; want 0 and 1", old, recent)
	}
	for _, c := range []desk.Customer{old, recent} {
		if _, err := d.Customer(ctx, c.ID); err != nil {
			t.Errorf("customer %s erased before their time: %v", c.Name, err)
		}
	}

	// Three years and a day after Odile's last contact; Rémi's was six months later.
	clk.set(start.AddDate(5, 0, 1))
	listed, err = svc.Purge(ctx, privacy.Retention{Customers: privacy.DefaultCustomerRetention}, false, by)
	mustNoErr(t, err)
	if len(listed) != 1 || listed[0].ID != old.ID {
		t.Fatalf("purge of customers: got %+v, want Odile only", listed)
	}
	if _, err := d.Customer(ctx, old.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("Odile after the purge: got %v, want not found", err)
	}
	if _, err := d.Customer(ctx, recent.ID); err != nil {
		t.Errorf("Rémi (last contact 2 years 6 months ago) was erased: %v", err)
	}
	entries, err := svc.Audit.Entries(ctx, 0)
	mustNoErr(t, err)
	if len(entries) != 2 {
		t.Errorf("audit: got %d entries, want 2 (the left message's conversation, Odile)", len(entries))
	}
}

// TestPurgeDueOncePerPeriod: of two processes asking for the purge in the same period, one
// purges (the customer past their retention goes) and the other does nothing; once the
// period is over, the next ask purges again.
func TestPurgeDueOncePerPeriod(t *testing.T) {
	st := storetest.Open(t)
	clk := &clock{t: time.Date(2021, 1, 4, 9, 0, 0, 0, time.UTC)}
	d := desk.New(st, clk.now)
	old, err := d.CreateCustomer(ctx, desk.CustomerFields{Name: "Paul Ancien"}, "agent-1")
	mustNoErr(t, err)
	clk.set(clk.now().AddDate(4, 0, 0))
	r := privacy.Retention{Customers: privacy.DefaultCustomerRetention}
	first := privacy.New(st, privacy.Options{Now: clk.now})
	second := privacy.New(st, privacy.Options{Now: clk.now})
	ran, listed, err := first.PurgeDue(ctx, r, time.Hour, privacy.Actor{By: "purge", From: "serve@a"})
	mustNoErr(t, err)
	if !ran || len(listed) != 1 || listed[0].ID != old.ID {
		t.Fatalf("first process: ran %v, %+v; want Paul purged", ran, listed)
	}
	if _, err := d.Customer(ctx, old.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("Paul after the purge: %v", err)
	}
	ran, _, err = second.PurgeDue(ctx, r, time.Hour, privacy.Actor{By: "purge", From: "serve@b"})
	mustNoErr(t, err)
	if ran {
		t.Error("a second process purged in the same period")
	}
	if ttl := st.Client.PTTL(ctx, second.PurgeKey()).Val(); ttl <= 59*time.Minute || ttl > time.Hour {
		t.Errorf("the period's claim lives %s, want the hour", ttl)
	}
	mustNoErr(t, st.Client.Del(ctx, second.PurgeKey()).Err()) // the period is over
	ran, _, err = second.PurgeDue(ctx, r, time.Hour, privacy.Actor{By: "purge", From: "serve@b"})
	mustNoErr(t, err)
	if !ran {
		t.Error("no purge in the next period")
	}
}
