package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/metrics"
)

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 {
		t.Fatalf("got %d %s", res.StatusCode, body)
	}
	return string(body)
}

func TestHandler(t *testing.T) {
	m := metrics.New()
	m.Request("/api/v1/conversations/:id/messages", "POST", 200, 3*time.Millisecond)
	m.Request("unmatched", "BREW", 404, time.Millisecond)
	m.Turn("horaires", true, false)
	m.Turn("", false, false)
	m.Turn("conseiller", true, true)
	m.Turn("je veux parler à quelqu'un", false, false) // not an intent id
	m.SocketOpened(metrics.Customer)
	m.SocketOpened(metrics.Customer)
	m.SocketClosed(metrics.Customer)
	m.SetSockets(metrics.Agent, 3)
	m.SlowSocketClosed()
	m.SocketReset()
	m.Offer(metrics.OfferMade)
	m.Offer(metrics.OfferMade)
	m.Offer(metrics.OfferExpired)
	m.Accepted(4 * time.Second)
	m.NoticeLag(2 * time.Millisecond)
	m.QueueLength(func(context.Context) (int64, error) { return 7, nil })

	body := scrape(t, m)
	for _, want := range []string{
		"go_goroutines ",
		"process_cpu_seconds_total ",
		`relais_http_requests_total{method="POST",route="/api/v1/conversations/:id/messages",status="200"} 1`,
		`relais_http_requests_total{method="OTHER",route="unmatched",status="404"} 1`,
		`relais_http_request_duration_seconds_bucket{route="/api/v1/conversations/:id/messages",le="0.005"} 1`,
		`relais_bot_turns_total{intent="horaires"} 1`,
		`relais_bot_turns_total{intent="none"} 1`,
		`relais_bot_turns_total{intent="other"} 1`,
		"relais_bot_not_understood_total 2",
		"relais_handoffs_total 1",
		"relais_websockets_active 1",
		"relais_agent_websockets_active 3",
		"relais_websockets_slow_closed_total 1",
		"relais_websockets_reset_total 1",
		"relais_offers_total 2",
		`relais_offer_outcomes_total{outcome="expired"} 1`,
		`relais_offer_outcomes_total{outcome="accepted"} 1`,
		`relais_offer_outcomes_total{outcome="rejected"} 0`,
		`relais_time_to_accept_seconds_bucket{le="5"} 1`,
		"relais_time_to_accept_seconds_count 1",
		"relais_notice_lag_seconds_count 1",
		"relais_queue_length 7",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("no %s in\n%s", want, body)
		}
	}
	if strings.Contains(body, "quelqu") {
		t.Error("customer text in a label")
	}
}

func TestQueueLengthError(t *testing.T) {
	m := metrics.New()
	if body := scrape(t, m); strings.Contains(body, "relais_queue_length ") {
		t.Error("queue length without a reader")
	}
	m.QueueLength(func(context.Context) (int64, error) { return 0, errors.New("redis") })
	body := scrape(t, m)
	if strings.Contains(body, "relais_queue_length ") || !strings.Contains(body, "relais_http_requests_total") && !strings.Contains(body, "go_goroutines") {
		t.Errorf("a failing read: got\n%s", body)
	}
}

func TestIntentsBounded(t *testing.T) {
	m := metrics.New()
	for i := range 2000 {
		m.Turn("intent_"+strings.Repeat("x", i%60)+string(rune('a'+i%26))+time.Duration(i).String(), true, false)
	}
	if n := strings.Count(scrape(t, m), "relais_bot_turns_total{"); n > 513 {
		t.Errorf("%d intent series, want at most 513", n)
	}
}
