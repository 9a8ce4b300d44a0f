package desk_test

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/store/storetest"
)

// TestMigrateLegacy: records written in the layout where every key shared {desk} (a customer
// with a chat and a left message, an anonymous chat, their indexes) are found again after
// MigrateLegacy, and no key of the old layout is left.
func TestMigrateLegacy(t *testing.T) {
	st := storetest.Open(t)
	now := time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)
	d := desk.New(st, func() time.Time { return now })
	old := func(parts ...string) string { return st.Key(append([]string{"{desk}"}, parts...)...) }
	c, end := st.Client, float64(now.Add(time.Hour).Unix())
	writes := []error{
		c.HSet(ctx, old("customer", "cu1"), "id", "cu1", "version", 1, "name", "Léa", "email", "Lea@exemple.fr",
			"email_key", "lea@exemple.fr", "phone", "0612345678", "phone_key", "0612345678", "account_key", "", "external_id", "").Err(),
		c.HSet(ctx, old("idx", "email"), "lea@exemple.fr", "cu1").Err(),
		c.SAdd(ctx, old("idx", "phone", "0612345678"), "cu1").Err(),
		c.ZAdd(ctx, old("customer", "cu1", "requests"), redisZ(1, "rq1")).Err(),
		c.ZAdd(ctx, old("customer", "cu1", "open"), redisZ(1, "rq1")).Err(),
		c.HSet(ctx, old("request", "rq1"), "id", "rq1", "version", 1, "customer_id", "cu1", "title", "Facture", "status", "open", "seq", 1).Err(),
		c.ZAdd(ctx, old("request", "rq1", "activities"), redisZ(2, "ac1"), redisZ(3, "ac2")).Err(),
		c.HSet(ctx, old("activity", "ac1"), "id", "ac1", "version", 1, "request_id", "rq1", "customer_id", "cu1", "kind", "chat", "task_id", "t1", "conversation_id", "c1").Err(),
		c.HSet(ctx, old("activity", "ac2"), "id", "ac2", "version", 1, "request_id", "rq1", "customer_id", "cu1", "kind", "message", "message", "Rappelez-moi", "conversation_id", "c2").Err(),
		c.ZAdd(ctx, old("idx", "messages"), redisZ(3, "ac2")).Err(),
		c.HSet(ctx, old("request", "rq2"), "id", "rq2", "version", 1, "customer_id", "", "title", "Nouvelle demande", "status", "open", "seq", 4).Err(),
		c.ZAdd(ctx, old("request", "rq2", "activities"), redisZ(5, "ac3")).Err(),
		c.HSet(ctx, old("activity", "ac3"), "id", "ac3", "version", 1, "request_id", "rq2", "customer_id", "", "kind", "chat", "task_id", "t3", "conversation_id", "c3").Err(),
		c.HSet(ctx, old("idx", "task"), "t1", "ac1", "t3", "ac3").Err(),
		c.ZAdd(ctx, old("idx", "task", "end"), redisZ(end, "t1"), redisZ(end, "t3")).Err(),
		c.HSet(ctx, old("idx", "conv"), "c3", "ac3").Err(),
		c.ZAdd(ctx, old("idx", "conv", "end"), redisZ(end, "c3")).Err(),
		c.Set(ctx, old("conv", "c1", "customer"), "cu1", time.Hour).Err(),
		c.Set(ctx, old("seq"), 5, 0).Err(),
	}
	for _, err := range writes {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.MigrateLegacy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got["customers"] != 1 || got["requests"] != 2 || got["activities"] != 3 {
		t.Errorf("migrated %v", got)
	}
	if j, err := d.Journey(ctx, "cu1"); err != nil || len(j.Requests) != 1 || len(j.Requests[0].Activities) != 2 {
		t.Errorf("journey %+v %v", j, err)
	}
	for _, q := range []desk.Search{{Email: "LEA@exemple.fr"}, {Phone: "06 12 34 56 78"}} {
		if found, err := d.SearchCustomers(ctx, q); err != nil || len(found) != 1 {
			t.Errorf("%+v: %v %v", q, found, err)
		}
	}
	if in, err := d.OfTask(ctx, "t1"); err != nil || in.Activity.ID != "ac1" || in.Customer == nil {
		t.Errorf("task t1: %+v %v", in, err)
	}
	if in, err := d.OfConversation(ctx, "c3"); err != nil || in.Request.ID != "rq2" {
		t.Errorf("conversation c3: %+v %v", in, err)
	}
	if ms, err := d.Messages(ctx); err != nil || len(ms) != 1 || ms[0].Activity.ID != "ac2" {
		t.Errorf("messages %+v %v", ms, err)
	}
	if cu, err := d.ConversationCustomer(ctx, "c1"); err != nil || cu != "cu1" {
		t.Errorf("conversation c1's customer %q %v", cu, err)
	}
	// The anonymous chat links as any other.
	if in, err := d.Link(ctx, "c3", "cu1", time.Hour, "a1"); err != nil || in.Activity.CustomerID != "cu1" {
		t.Errorf("link: %+v %v", in, err)
	}
	if left := scanKeys(t, st.Client, old("*")); len(left) != 2 { // seq and messages stay
		t.Errorf("left in the old layout: %v", left)
	}
	if again, err := d.MigrateLegacy(ctx); err != nil || again["customers"] != 0 {
		t.Errorf("again: %v %v", again, err)
	}
}

func redisZ(score float64, member string) redis.Z { return redis.Z{Score: score, Member: member} }
