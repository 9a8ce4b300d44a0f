package desk_test

import (
	"slices"
	"testing"
	"time"

	"github.com/relais/relais/handoff/desk"
)

// TestEraseKeepsWhatOthersShare erases a customer who shares a phone with another, and
// whose conversation is also filed in a request without customer: the other customer keeps
// the phone index and everything else; the erased one is found by no index.
func TestEraseKeepsWhatOthersShare(t *testing.T) {
	d := open(t)
	lea := mustCustomer(t, d, "Léa Petit", desk.CustomerFields{Email: "lea@example.fr", Phone: "06 11 22 33 44", AccountNumber: "L-1"})
	tom := mustCustomer(t, d, "Tom Petit", desk.CustomerFields{Email: "tom@example.fr", Phone: "0611223344"})
	const conv, other = "conversation-de-lea-01", "conversation-de-tom-01"
	if _, err := d.Attach(ctx, desk.Taken{TaskID: "t1", ConversationID: conv, CustomerID: lea.ID, AgentID: "a1"}); err != nil {
		t.Fatal(err)
	}
	anon, err := d.LeaveMessage(ctx, desk.LeftMessage{ConversationID: conv, Message: "rappelez Léa"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Attach(ctx, desk.Taken{TaskID: "t2", ConversationID: other, CustomerID: tom.ID, AgentID: "a1"}); err != nil {
		t.Fatal(err)
	}
	if err := d.SetConversationCustomer(ctx, conv, lea.ID, time.Hour); err != nil {
		t.Fatal(err)
	}
	convs, err := d.ConversationsOf(ctx, lea.ID)
	if err != nil || !slices.Equal(convs, []string{conv}) {
		t.Fatalf("ConversationsOf = %v, %v", convs, err)
	}
	erased, err := d.Erase(ctx, lea.ID, convs, "")
	if err != nil {
		t.Fatal(err)
	}
	want := desk.Erased{"customers": 1, "requests": 2, "activities": 2, "left_messages": 1, "tags": 0,
		"conversation_links": 1, "index_entries": 6} // task, conversation, left messages, e-mail, account, phone
	for k, n := range want {
		if erased[k] != n {
			t.Errorf("erased[%s] = %d, want %d (%v)", k, erased[k], n, erased)
		}
	}
	for _, q := range []desk.Search{{Email: "lea@example.fr"}, {Account: "L-1"}} {
		if found, _ := d.SearchCustomers(ctx, q); len(found) != 0 {
			t.Errorf("%+v still finds %v", q, found)
		}
	}
	if found, _ := d.SearchCustomers(ctx, desk.Search{Phone: "06 11 22 33 44"}); len(found) != 1 || found[0].ID != tom.ID {
		t.Errorf("the shared phone finds %v, want Tom only", found)
	}
	if _, err := d.Message(ctx, anon.Activity.ID); err != desk.ErrMessageNotFound {
		t.Errorf("the anonymous message: %v", err)
	}
	if _, err := d.OfConversation(ctx, conv); err != desk.ErrNoInteraction {
		t.Errorf("OfConversation: %v", err)
	}
	if c, _ := d.ConversationCustomer(ctx, conv); c != "" {
		t.Errorf("the conversation still has customer %q", c)
	}
	if in, err := d.OfConversation(ctx, other); err != nil || in.Customer == nil || in.Customer.ID != tom.ID {
		t.Errorf("Tom's interaction: %+v, %v", in, err)
	}
	again, err := d.Erase(ctx, lea.ID, convs, "")
	if err != nil {
		t.Fatal(err)
	}
	for k, n := range again {
		if n != 0 {
			t.Errorf("second erasure: %s = %d", k, n)
		}
	}
}
