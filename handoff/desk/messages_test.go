package desk_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff/desk"
)

// leave files a message left in conversation conv, without a known customer.
func leave(t testing.TB, d *desk.Desk, conv, text string) desk.Interaction {
	t.Helper()
	in, err := d.LeaveMessage(ctx, desk.LeftMessage{ConversationID: conv, Message: text})
	if err != nil {
		t.Fatalf("leave %s: %v", conv, err)
	}
	return in
}

// listed returns the messages' texts as Messages lists them.
func listed(t testing.TB, d *desk.Desk) []string {
	t.Helper()
	msgs, err := d.Messages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, m := range msgs {
		out = append(out, m.Activity.Message)
	}
	return out
}

func TestMessagesFollowTheirRequest(t *testing.T) {
	d := open(t)
	first := leave(t, d, "c1", "Premier")
	leave(t, d, "c2", "Second")
	if _, err := d.Attach(ctx, desk.Taken{TaskID: "t3", ConversationID: "c3", AgentID: "agent-1"}); err != nil {
		t.Fatal(err)
	}
	if got, want := listed(t, d), []string{"Second", "Premier"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q (newest first, chats left out)", got, want)
	}
	closed, open := desk.StatusClosed, desk.StatusOpen
	r, err := d.PatchRequest(ctx, first.Request.ID, first.Request.Version, desk.RequestPatch{Status: &closed}, "agent-1")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := listed(t, d), []string{"Second"}; !slices.Equal(got, want) {
		t.Errorf("closed: got %q, want %q", got, want)
	}
	if _, err := d.PatchRequest(ctx, r.ID, r.Version, desk.RequestPatch{Status: &open}, "agent-1"); err != nil {
		t.Fatal(err)
	}
	if got, want := listed(t, d), []string{"Second", "Premier"}; !slices.Equal(got, want) {
		t.Errorf("reopened: got %q, want %q at its place", got, want)
	}
}

func TestMessagesAtMost50(t *testing.T) {
	d := open(t)
	for i := range desk.MaxMessages + 3 {
		leave(t, d, fmt.Sprintf("c%d", i), "message")
	}
	if got := len(listed(t, d)); got != desk.MaxMessages {
		t.Errorf("got %d messages, want %d", got, desk.MaxMessages)
	}
}

func TestLinkMessage(t *testing.T) {
	tests := []struct {
		name        string
		openRequest bool // the customer already has an open request
	}{
		{"request moves to the customer", false},
		{"message joins the customer's open request", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := open(t)
			c := mustCustomer(t, d, "Claire", desk.CustomerFields{})
			want := ""
			if tt.openRequest {
				r, _ := d.CreateRequest(ctx, c.ID, desk.RequestFields{Title: "En cours"}, "")
				want = r.ID
			}
			m := leave(t, d, "c1", "Rappelez-moi")
			if want == "" {
				want = m.Request.ID
			}
			in, err := d.LinkMessage(ctx, m.Activity.ID, c.ID, "agent-1")
			if err != nil {
				t.Fatal(err)
			}
			if in.Request.ID != want || in.Request.CustomerID != c.ID || in.Activity.CustomerID != c.ID || in.Customer == nil {
				t.Errorf("got request %s of %q, want %s of %s", in.Request.ID, in.Request.CustomerID, want, c.ID)
			}
			msgs, err := d.Messages(ctx)
			if err != nil || len(msgs) != 1 || msgs[0].Request.ID != want || msgs[0].Customer == nil {
				t.Errorf("listed: got %+v %v, want the message under %s with its customer", msgs, err, want)
			}
		})
	}
}

func TestLinkMessageRefused(t *testing.T) {
	d := open(t)
	claire := mustCustomer(t, d, "Claire", desk.CustomerFields{})
	bruno := mustCustomer(t, d, "Bruno", desk.CustomerFields{})
	m := leave(t, d, "c1", "Rappelez-moi")
	if _, err := d.LinkMessage(ctx, m.Activity.ID, claire.ID, "agent-1"); err != nil {
		t.Fatal(err)
	}
	_, err := d.LinkMessage(ctx, m.Activity.ID, bruno.ID, "agent-1")
	if !errors.Is(err, desk.ErrLinkedElsewhere) {
		t.Errorf("another customer: got %v, want ErrLinkedElsewhere", err)
	}
	wantCode(t, err, apperr.AlreadyLinked)
	chat, err := d.Attach(ctx, desk.Taken{TaskID: "t2", ConversationID: "c2", AgentID: "agent-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.LinkMessage(ctx, chat.Activity.ID, claire.ID, "agent-1"); !errors.Is(err, desk.ErrMessageNotFound) {
		t.Errorf("a chat: got %v, want ErrMessageNotFound", err)
	}
	if _, err := d.Message(ctx, chat.Activity.ID); !errors.Is(err, desk.ErrMessageNotFound) {
		t.Errorf("Message of a chat: got %v, want ErrMessageNotFound", err)
	}
	if _, err := d.LinkMessage(ctx, m.Activity.ID, "nobody", "agent-1"); !errors.Is(err, desk.ErrCustomerNotFound) {
		t.Errorf("unknown customer: got %v, want ErrCustomerNotFound", err)
	}
}
