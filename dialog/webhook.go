package dialog

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"
)

// Call is one webhook call: the flow's slots posted to a company backend.
type Call struct {
	Name           string
	Webhook        Webhook
	Intent         string
	ConversationID string
	// Key is the same for every call of this webhook made from one state of the conversation:
	// a turn computed twice (the first one not stored, see Engine.Answer) calls with the same
	// key, sent as the Idempotency-Key header, so that the backend can do its work once.
	Key   string
	Slots map[string]string
}

// Caller calls webhooks. The engine uses HTTPCaller; conversation tests use canned answers.
type Caller interface {
	Call(ctx context.Context, c Call) (map[string]any, error)
}

// HTTPCaller POSTs the slots as JSON and reads a JSON object back.
type HTTPCaller struct {
	Client *http.Client
	Getenv func(string) string // expands ${VAR} in URLs; default os.Getenv
}

// NewHTTPCaller returns a caller with its own HTTP client.
func NewHTTPCaller() *HTTPCaller {
	return &HTTPCaller{Client: &http.Client{}, Getenv: os.Getenv}
}

const defaultWebhookTimeout = 3 * time.Second

// Call posts {"intent", "conversation_id", "slots"} and returns the answer's JSON object.
func (h *HTTPCaller) Call(ctx context.Context, c Call) (map[string]any, error) {
	target := os.Expand(c.Webhook.URL, h.Getenv)
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("webhook %s : url %q inutilisable (variable d'environnement manquante ?)", c.Name, target)
	}
	timeout := c.Webhook.Timeout
	if timeout <= 0 {
		timeout = defaultWebhookTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body, _ := json.Marshal(map[string]any{"intent": c.Intent, "conversation_id": c.ConversationID, "slots": c.Slots})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.Key != "" {
		req.Header.Set("Idempotency-Key", c.Key)
	}
	resp, err := h.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("webhook %s : %w", c.Name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("webhook %s : statut %d", c.Name, resp.StatusCode)
	}
	var answer map[string]any
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&answer); err != nil {
		return nil, fmt.Errorf("webhook %s : réponse JSON invalide : %w", c.Name, err)
	}
	return answer, nil
}

// CannedCaller answers webhooks from a fixed table, for conversation tests; a webhook
// missing from the table fails, as an unreachable backend would.
type CannedCaller map[string]map[string]any

// Call returns the canned answer of the webhook.
func (c CannedCaller) Call(_ context.Context, call Call) (map[string]any, error) {
	if a, ok := c[call.Name]; ok {
		return a, nil
	}
	return nil, fmt.Errorf("webhook %s : pas de réponse prévue par le test", call.Name)
}
