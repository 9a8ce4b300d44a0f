package dialog_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/dialog"
)

func TestHTTPCaller(t *testing.T) {
	var got map[string]any
	release := make(chan struct{}) // lets the slow handler return before the server closes
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			json.NewDecoder(r.Body).Decode(&got)
			w.Write([]byte(`{"status": "expédiée"}`))
		case "/slow":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		case "/broken":
			w.WriteHeader(http.StatusBadGateway)
		case "/notjson":
			w.Write([]byte("<html>"))
		}
	}))
	defer backend.Close()
	defer close(release)
	caller := &dialog.HTTPCaller{Client: backend.Client(), Getenv: func(k string) string {
		if k == "ORDER_API_URL" {
			return backend.URL
		}
		return ""
	}}
	call := func(url string, timeout time.Duration) (map[string]any, error) {
		return caller.Call(context.Background(), dialog.Call{Name: "order_status", Webhook: dialog.Webhook{URL: url, Timeout: timeout},
			Intent: "statut_commande", ConversationID: "c1", Slots: map[string]string{"order_number": "CMD-48213"}})
	}

	answer, err := call("${ORDER_API_URL}/ok", time.Second)
	if err != nil || answer["status"] != "expédiée" {
		t.Fatalf("got %v, %v", answer, err)
	}
	if slots, _ := got["slots"].(map[string]any); slots["order_number"] != "CMD-48213" || got["intent"] != "statut_commande" {
		t.Errorf("backend received %v, want the slots and the intent", got)
	}
	tests := []struct{ name, url, want string }{
		{name: "timeout", url: "${ORDER_API_URL}/slow", want: "deadline exceeded"},
		{name: "error status", url: "${ORDER_API_URL}/broken", want: "statut 502"},
		{name: "not JSON", url: "${ORDER_API_URL}/notjson", want: "réponse JSON invalide"},
		{name: "unset variable", url: "${MISSING_URL}/x", want: "variable d'environnement manquante"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := call(tt.url, 100*time.Millisecond); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
