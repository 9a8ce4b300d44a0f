package loadtest_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relais/relais/dialog"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/loadtest"
	"github.com/relais/relais/server"
	"github.com/relais/relais/store/storetest"
)

// bot answers every message and ends the conversation on "au revoir".
type bot struct{}

// SessionKey gives a key with the conversation's hash tag: this bot keeps no session.
func (bot) SessionKey(id string) (string, time.Duration, bool) {
	return "loadtest:session:{" + id + "}", time.Minute, true
}

func (bot) Greet(context.Context, string) (dialog.Turn, []byte, error) {
	return dialog.Turn{Replies: []dialog.Reply{{Text: "Bonjour !"}}}, nil, nil
}

func (b bot) Answer(_ context.Context, _, text, _ string) (dialog.Turn, []byte, error) {
	t, err := b.handle(text)
	return t, nil, err
}

func (bot) handle(text string) (dialog.Turn, error) {
	if text == loadtest.DefaultHandoffText {
		return dialog.Turn{Understood: true, Replies: []dialog.Reply{{Text: "Je vous passe un conseiller."}},
			Handoff: &dialog.Handoff{Intent: "mise_en_relation_agent", Priority: "normal", Summary: "demande un conseiller"}}, nil
	}
	return dialog.Turn{Understood: true, Replies: []dialog.Reply{{Text: "ok"}}, End: text == "au revoir"}, nil
}

func TestRunMeasuresTurns(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.RequestsPerIP, cfg.ConversationsPerIP, cfg.MessagesPerConversation = 0, 0, 0
	srv, err := server.New(cfg, server.Deps{Store: storetest.Open(t), Bot: bot{}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done; srv.Close() })

	tests := []struct {
		name     string
		ws       bool
		messages []string
		minConv  int64
	}{
		{name: "HTTP, goodbyes open new conversations", messages: []string{"bonjour", "merci", "au revoir"}, minConv: 5},
		{name: "HTTP and websockets", ws: true, messages: []string{"bonjour", "merci"}, minConv: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := loadtest.Run(context.Background(), loadtest.Config{
				URL: "http://" + ln.Addr().String(), Customers: 4, Duration: 500 * time.Millisecond,
				Websockets: tt.ws, Messages: tt.messages,
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Turns == 0 || res.Errors != 0 || res.P50 <= 0 || res.P99 < res.P50 {
				t.Fatalf("got %+v, want turns, no error and ordered percentiles", res)
			}
			if res.Conversations < tt.minConv {
				t.Fatalf("got %d conversations, want at least %d", res.Conversations, tt.minConv)
			}
			if tt.ws && res.WebsocketEvent == 0 {
				t.Fatalf("got no websocket event, want some")
			}
			var out bytes.Buffer
			res.Print(&out)
			if !strings.Contains(out.String(), "tours du bot") {
				t.Fatalf("Print: got %q", out.String())
			}
		})
	}
}

// TestRunWithAgents: customers ask for a human, agents log in (past the server's per-address
// login limit through AgentSession), accept, answer and close; every latency is measured.
func TestRunWithAgents(t *testing.T) {
	st := storetest.Open(t)
	cfg := server.DefaultConfig()
	cfg.RequestsPerIP, cfg.ConversationsPerIP, cfg.MessagesPerConversation = 0, 0, 0
	router := handoff.NewRouter(st, handoff.Options{OfferTimeout: cfg.OfferTimeout})
	accounts := handoff.NewAccounts(st, handoff.AccountOptions{Cost: 10, AddressAttempts: 3, FirstDelay: time.Minute})
	srv, err := server.New(cfg, server.Deps{Store: st, Bot: bot{}, Router: router, Accounts: accounts})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done; srv.Close() })

	const agents, password = 6, "mot-de-passe-du-banc"
	for i := 1; i <= agents; i++ {
		if _, err := accounts.Add(ctx, handoff.NewAgent{Login: fmt.Sprintf("bench-agent-%d", i), Name: "Agent", Password: password, Capacity: 2}); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 { // the bench's address reaches its login limit: the agents log in through AgentSession
		accounts.Authenticate(ctx, "personne", "faux-mot-de-passe", "127.0.0.1")
	}
	var fallbacks atomic.Int64
	res, err := loadtest.Run(context.Background(), loadtest.Config{
		URL: "http://" + ln.Addr().String(), Customers: 6, Duration: 1500 * time.Millisecond,
		Messages: []string{"bonjour", "merci"}, Agents: agents, AgentPassword: password,
		HandoffShare: 0.5, HandoffMessages: 3,
		AgentSession: func(ctx context.Context, login string) (string, error) {
			fallbacks.Add(1)
			ag, err := accounts.ByLogin(ctx, login)
			if err != nil {
				return "", err
			}
			return accounts.CreateSession(ctx, ag.ID)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 0 || res.Handoffs == 0 || res.Turns == 0 {
		t.Fatalf("got %+v, want handoffs, bot turns and no error", res)
	}
	if res.AgentMessages < res.Handoffs || res.OfferP50 <= 0 || res.OfferP99 < res.OfferP50 ||
		res.ToAgentP50 <= 0 || res.ToAgentP99 < res.ToAgentP50 || res.ToCustomerP50 <= 0 || res.ToCustomerP99 < res.ToCustomerP50 {
		t.Fatalf("got %+v, want agent messages and ordered latencies", res)
	}
	if fallbacks.Load() == 0 {
		t.Errorf("no login went through AgentSession, want the agents refused by the per-address limit")
	}
	var out bytes.Buffer
	res.Print(&out)
	for _, want := range []string{"transferts", "latence offre", "client → agent", "agent → client"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("Print: want %q in %q", want, out.String())
		}
	}
	// Every agent closed or saw closed its conversations: none is left assigned.
	for i := 1; i <= agents; i++ {
		ag, _ := accounts.ByLogin(ctx, fmt.Sprintf("bench-agent-%d", i))
		poll(t, func() bool {
			tasks, err := router.AgentTasks(ctx, ag.ID)
			return err == nil && len(assigned(tasks)) == 0
		})
	}
}

func assigned(tasks []handoff.Task) []handoff.Task {
	var out []handoff.Task
	for _, tk := range tasks {
		if tk.State == handoff.TaskAssigned {
			out = append(out, tk)
		}
	}
	return out
}

// poll waits up to 5 s for ok.
func poll(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !ok(); {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
