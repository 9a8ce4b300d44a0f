package loadtest_test

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/dialog"
	"github.com/relais/relais/loadtest"
	"github.com/relais/relais/server"
	"github.com/relais/relais/store/storetest"
)

// bot answers every message and ends the conversation on "au revoir".
type bot struct{}

func (bot) Start(context.Context, string) (dialog.Turn, error) {
	return dialog.Turn{Replies: []dialog.Reply{{Text: "Bonjour !"}}}, nil
}

func (bot) Handle(_ context.Context, _, text string) (dialog.Turn, error) {
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
