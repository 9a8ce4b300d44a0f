package desk_test

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

// TestWritesWaitForTheReplicas: with a replica required and none there (the test's Redis has
// none), a desk write is not acknowledged: 503, so that a record a failover would lose is never
// reported saved; without the requirement the same write succeeds.
func TestWritesWaitForTheReplicas(t *testing.T) {
	st, ctx := storetest.Open(t), context.Background()
	f := desk.CustomerFields{Name: "Inès Martin", Email: "ines.martin@example.fr"}
	waiting := desk.New(st, nil).WithReplicas(store.Replicas{MinReplicas: 1, Timeout: 50 * time.Millisecond})
	if _, err := waiting.CreateCustomer(ctx, f, "agent-1"); apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("with a replica required and none: got %v, want unavailable", err)
	}
	f.Email = "ines.martin2@example.fr"
	if _, err := desk.New(st, nil).CreateCustomer(ctx, f, "agent-1"); err != nil {
		t.Fatalf("without: %v", err)
	}
}

// TestKeysOutsideScriptsWaitForTheReplicas: the keys a desk write sets before or after its
// script (a unique value's reservation, the locators, the filing order, the task and
// conversation indexes, a conversation's customer) wait for the replicas too. With a replica
// required and none there, the first such write of each operation is refused, before the
// operation's script: no record of the operation is written (an unacknowledged reservation or
// locator may stay, as when a writer dies, and is taken over later); a conversation's
// customer, written by no script, is refused too.
func TestKeysOutsideScriptsWaitForTheReplicas(t *testing.T) {
	st, ctx := storetest.Open(t), context.Background()
	waiting := desk.New(st, nil).WithReplicas(store.Replicas{MinReplicas: 1, Timeout: 50 * time.Millisecond})
	ops := map[string]func() error{
		"create (reservation first)": func() error {
			_, err := waiting.CreateCustomer(ctx, desk.CustomerFields{Name: "Inès Martin", Email: "ines@example.fr"}, "agent-1")
			return err
		},
		"attach (filing order and locators first)": func() error {
			_, err := waiting.Attach(ctx, desk.Taken{TaskID: "task-1", ConversationID: "conv-1", AgentID: "agent-1", AgentName: "A"})
			return err
		},
		"leave a message (filing order first)": func() error {
			_, err := waiting.LeaveMessage(ctx, desk.LeftMessage{ConversationID: "conv-2", Message: "Rappelez-moi"})
			return err
		},
		"a conversation's customer": func() error {
			return waiting.SetConversationCustomer(ctx, "conv-3", "client-1", time.Hour)
		},
	}
	for name, op := range ops {
		if err := op(); apperr.CodeOf(err) != apperr.Unavailable {
			t.Errorf("%s with a replica required and none: %v, want unavailable", name, err)
		}
	}
	for _, k := range []string{"{c:", "{r:", "{desk}:messages", "Inès", "Rappelez-moi"} {
		for _, line := range storetest.Lines(storetest.Dump(t, st), k) {
			t.Errorf("a refused operation wrote its records: %.200s", line)
		}
	}
}

// TestEveryDeskKeyIsOnTheReplicaWhenAcknowledged: on a master with a real replica, right after
// each desk operation returns, the replica holds every key the master holds, with the same
// content: nothing acknowledged is missing from the replica a failover would promote.
func TestEveryDeskKeyIsOnTheReplicaWhenAcknowledged(t *testing.T) {
	bin := storetest.RedisServer(t)
	ctx := context.Background()
	mp, rp := storetest.FreePort(t), storetest.FreePort(t)
	storetest.StartRedis(t, bin, mp, "--port", strconv.Itoa(mp), "--save", "", "--appendonly", "no",
		"--repl-diskless-sync-delay", "0")
	replica := storetest.StartRedis(t, bin, rp, "--port", strconv.Itoa(rp), "--save", "", "--appendonly", "no",
		"--replicaof", "127.0.0.1", strconv.Itoa(mp))
	for replica.Info(ctx, "replication").Val() == "" || !strings.Contains(replica.Info(ctx, "replication").Val(), "master_link_status:up") {
		time.Sleep(20 * time.Millisecond) // the first sync: another process's state, nothing to wait on
	}
	open := func(port int) *store.Store {
		s, err := store.Open(ctx, "redis://127.0.0.1:"+strconv.Itoa(port), slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		s.Prefix = "relais:"
		return s
	}
	master, copy := open(mp), open(rp)
	d := desk.New(master, nil).WithReplicas(store.Replicas{MinReplicas: 1, Timeout: 5 * time.Second})
	same := func(after string) {
		t.Helper()
		if want, got := storetest.Dump(t, master), storetest.Dump(t, copy); sorted(want) != sorted(got) {
			t.Fatalf("after %s, the replica differs from the master:\nmaster:\n%s\nreplica:\n%s", after, want, got)
		}
	}
	c, err := d.CreateCustomer(ctx, desk.CustomerFields{Name: "Inès Martin", Email: "ines@example.fr", Phone: "06 11 22 33 44"}, "agent-1")
	must(t, err)
	same("create")
	c, err = d.UpdateCustomer(ctx, c.ID, c.Version, desk.CustomerFields{Name: "Inès Martin", Email: "ines.m@example.fr", Phone: "07 11 22 33 44"}, "agent-1")
	must(t, err)
	same("update")
	_, err = d.Attach(ctx, desk.Taken{TaskID: "task-1", ConversationID: "conv-1", AgentID: "agent-1", AgentName: "A"})
	must(t, err)
	same("attach")
	_, err = d.Link(ctx, "conv-1", c.ID, time.Hour, "agent-1")
	must(t, err)
	same("link")
	_, err = d.LeaveMessage(ctx, desk.LeftMessage{ConversationID: "conv-2", CustomerID: c.ID, Message: "Rappelez-moi"})
	must(t, err)
	same("leave a message")
	_, err = d.Erase(ctx, c.ID, []string{"conv-1", "conv-2"}, "dpo")
	must(t, err)
	same("erase")
}

// sorted is a dump's lines in order (SCAN's order differs between two servers).
func sorted(dump string) string {
	lines := strings.Split(strings.TrimSpace(dump), "\n")
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
