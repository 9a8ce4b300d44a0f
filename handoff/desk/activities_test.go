package desk_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/handoff/desk"
)

func TestAttachToMostRecentOpenRequest(t *testing.T) {
	d := open(t)
	c := mustCustomer(t, d, "Claire", desk.CustomerFields{})
	older, _ := d.CreateRequest(ctx, c.ID, desk.RequestFields{Title: "Ancienne"}, "")
	recent, _ := d.CreateRequest(ctx, c.ID, desk.RequestFields{Title: "Récente"}, "")
	closed := desk.StatusClosed
	newest, _ := d.CreateRequest(ctx, c.ID, desk.RequestFields{Title: "Fermée"}, "")
	if _, err := d.PatchRequest(ctx, newest.ID, 1, desk.RequestPatch{Status: &closed}, ""); err != nil {
		t.Fatal(err)
	}
	in, err := d.Attach(ctx, desk.Taken{TaskID: "t1", ConversationID: "c1", CustomerID: c.ID,
		AgentID: "agent-1", AgentName: "Camille", Intent: "suivi_commande", Summary: "colis en retard"})
	if err != nil {
		t.Fatal(err)
	}
	a := in.Activity
	if in.Request.ID != recent.ID || a.RequestID != recent.ID || in.Customer == nil || in.Customer.ID != c.ID {
		t.Fatalf("got request %s (%q), want the most recent open one %s (older %s)", in.Request.ID, in.Request.Title, recent.ID, older.ID)
	}
	if a.Kind != desk.KindChat || a.AgentName != "Camille" || a.Summary != "colis en retard" || a.StartedAt == "" || a.EndedAt != "" || len(a.Tags) != 0 {
		t.Errorf("activity: got %+v", a)
	}
	again, err := d.Attach(ctx, desk.Taken{TaskID: "t1", ConversationID: "c1", CustomerID: c.ID, AgentID: "agent-1"})
	if err != nil || again.Activity.ID != a.ID || again.Activity.Version != a.Version {
		t.Errorf("attach again: got %+v %v, want the same activity unchanged", again.Activity, err)
	}
	j, err := d.Journey(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(j.Requests) != 3 || j.Requests[0].ID != newest.ID || j.Requests[1].ID != recent.ID || len(j.Requests[1].Activities) != 1 {
		t.Errorf("journey: got %+v, want 3 requests newest first, the activity under %s", j.Requests, recent.ID)
	}
}

func TestAttachNewRequest(t *testing.T) {
	d := open(t)
	c := mustCustomer(t, d, "Claire", desk.CustomerFields{})
	in, err := d.Attach(ctx, desk.Taken{TaskID: "t1", ConversationID: "c1", CustomerID: c.ID, AgentID: "agent-1"})
	if err != nil {
		t.Fatal(err)
	}
	if in.Request.Title != desk.DefaultTitle || in.Request.CustomerID != c.ID || in.Request.Status != desk.StatusOpen {
		t.Errorf("no open request: got %+v, want a new « Nouvelle demande » for the customer", in.Request)
	}
	unknown, err := d.Attach(ctx, desk.Taken{TaskID: "t2", ConversationID: "c2", AgentID: "agent-1"})
	if err != nil || unknown.Request.CustomerID != "" || unknown.Customer != nil || unknown.Request.ID == in.Request.ID {
		t.Errorf("unknown customer: got %+v %v, want a new request without customer", unknown, err)
	}
	ghost, err := d.Attach(ctx, desk.Taken{TaskID: "t3", ConversationID: "c3", CustomerID: "disparu", AgentID: "agent-1"})
	if err != nil || ghost.Request.CustomerID != "" {
		t.Errorf("customer that does not exist: got %+v %v, want a request without customer", ghost.Request, err)
	}
}

func TestEndAndChangeAgent(t *testing.T) {
	d := open(t)
	in, _ := d.Attach(ctx, desk.Taken{TaskID: "t1", ConversationID: "c1", AgentID: "agent-1", AgentName: "Camille"})
	moved, err := d.ChangeAgent(ctx, "t1", "agent-2", "Léo", "agent-1")
	if err != nil || moved.Activity.AgentID != "agent-2" || moved.Activity.AgentName != "Léo" || moved.Activity.Version != 2 {
		t.Fatalf("transfer: got %+v %v, want agent-2 at version 2", moved.Activity, err)
	}
	if moved.Activity.ID != in.Activity.ID {
		t.Errorf("transfer made another activity")
	}
	repick, _ := d.Attach(ctx, desk.Taken{TaskID: "t1", ConversationID: "c1", AgentID: "agent-3", AgentName: "Inès"})
	if repick.Activity.ID != in.Activity.ID || repick.Activity.AgentID != "agent-3" {
		t.Errorf("re-pick: got %+v, want the same activity for agent-3", repick.Activity)
	}
	ended, err := d.EndActivity(ctx, "t1", "agent-3")
	if err != nil || ended.Activity.EndedAt == "" {
		t.Fatalf("end: got %+v %v, want ended_at set", ended.Activity, err)
	}
	twice, _ := d.EndActivity(ctx, "t1", "agent-3")
	if twice.Activity.Version != ended.Activity.Version {
		t.Errorf("end twice: got version %d, want %d (no change)", twice.Activity.Version, ended.Activity.Version)
	}
	if _, err := d.EndActivity(ctx, "inconnue", ""); !errors.Is(err, desk.ErrNoInteraction) {
		t.Errorf("unknown task: got %v, want ErrNoInteraction", err)
	}
	resumed, err := d.ResumeActivity(ctx, "t1", "agent-3")
	if err != nil || resumed.Activity.EndedAt != "" || resumed.Activity.ID != in.Activity.ID || resumed.Activity.Version != ended.Activity.Version+1 {
		t.Fatalf("resume (reopened): got %+v %v, want the same activity, not ended, one version later", resumed.Activity, err)
	}
	if again, _ := d.EndActivity(ctx, "t1", "agent-3"); again.Activity.EndedAt == "" {
		t.Errorf("end after resume: got %+v, want ended_at set again", again.Activity)
	}
}

func TestLinkMovesRequestWhenCustomerHasNoOpenOne(t *testing.T) {
	d := open(t)
	c := mustCustomer(t, d, "Claire", desk.CustomerFields{})
	in, _ := d.Attach(ctx, desk.Taken{TaskID: "t1", ConversationID: "c1", AgentID: "agent-1"})
	linked, err := d.Link(ctx, "c1", c.ID, time.Hour, "agent-1")
	if err != nil {
		t.Fatal(err)
	}
	if linked.Request.ID != in.Request.ID || linked.Request.CustomerID != c.ID || linked.Activity.CustomerID != c.ID || linked.Customer == nil {
		t.Fatalf("got %+v, want request %s moved to the customer", linked, in.Request.ID)
	}
	if cu, _ := d.ConversationCustomer(ctx, "c1"); cu != c.ID {
		t.Errorf("conversation customer: got %q, want %s", cu, c.ID)
	}
	j, _ := d.Journey(ctx, c.ID)
	if len(j.Requests) != 1 || j.Requests[0].ID != in.Request.ID {
		t.Errorf("journey: got %+v, want the moved request", j.Requests)
	}
}

func TestLinkMovesActivityToOpenRequest(t *testing.T) {
	d := open(t)
	c := mustCustomer(t, d, "Claire", desk.CustomerFields{})
	open, _ := d.CreateRequest(ctx, c.ID, desk.RequestFields{Title: "En cours"}, "")
	in, _ := d.Attach(ctx, desk.Taken{TaskID: "t1", ConversationID: "c1", AgentID: "agent-1"})
	linked, err := d.Link(ctx, "c1", c.ID, time.Hour, "agent-1")
	if err != nil {
		t.Fatal(err)
	}
	if linked.Request.ID != open.ID || linked.Activity.RequestID != open.ID || linked.Activity.ID != in.Activity.ID {
		t.Fatalf("got %+v, want the activity under %s", linked, open.ID)
	}
	if _, err := d.Request(ctx, in.Request.ID); !errors.Is(err, desk.ErrRequestNotFound) {
		t.Errorf("emptied request: got %v, want deleted", err)
	}
	other := mustCustomer(t, d, "Autre", desk.CustomerFields{})
	if _, err := d.Link(ctx, "c1", other.ID, time.Hour, ""); !errors.Is(err, desk.ErrLinkedElsewhere) {
		t.Errorf("link to another customer: got %v, want ErrLinkedElsewhere", err)
	}
	if _, err := d.Link(ctx, "c1", c.ID, time.Hour, ""); err != nil {
		t.Errorf("link again to the same customer: %v", err)
	}
	if _, err := d.Link(ctx, "sans-activite", c.ID, time.Hour, ""); !errors.Is(err, desk.ErrNoInteraction) {
		t.Errorf("no interaction: got %v", err)
	}
	if _, err := d.Link(ctx, "c1", "inconnu", time.Hour, ""); !errors.Is(err, desk.ErrCustomerNotFound) {
		t.Errorf("unknown customer: got %v", err)
	}
}

func TestLeaveMessage(t *testing.T) {
	d := open(t)
	c := mustCustomer(t, d, "Claire", desk.CustomerFields{})
	open, _ := d.CreateRequest(ctx, c.ID, desk.RequestFields{}, "")
	in, err := d.LeaveMessage(ctx, desk.LeftMessage{ConversationID: "c1", TaskID: "t1", CustomerID: c.ID,
		Intent: "retour", Message: "  Rappelez-moi demain matin.  "})
	if err != nil {
		t.Fatal(err)
	}
	a := in.Activity
	if in.Request.ID == open.ID || in.Request.Title != desk.LeftMessageTitle || in.Request.CustomerID != c.ID {
		t.Errorf("request: got %+v, want a new « Message laissé par le client » for the customer", in.Request)
	}
	if a.Kind != desk.KindMessage || a.Message != "Rappelez-moi demain matin." || a.EndedAt == "" || a.AgentID != "" {
		t.Errorf("activity: got %+v, want the trimmed message, ended", a)
	}
	anon, err := d.LeaveMessage(ctx, desk.LeftMessage{ConversationID: "c2", Message: "Bonjour"})
	if err != nil || anon.Request.CustomerID != "" || anon.Customer != nil {
		t.Errorf("unknown customer: got %+v %v", anon, err)
	}
	for _, bad := range []string{"  ", strings.Repeat("à", 2001)} {
		if _, err := d.LeaveMessage(ctx, desk.LeftMessage{ConversationID: "c3", Message: bad}); fieldsOf(err)["message"] == "" {
			t.Errorf("message of %d characters: got %v, want a message field error", len([]rune(bad)), err)
		}
	}
}
