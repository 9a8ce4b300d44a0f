package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	rec "github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/store/storetest"
)

func TestConversationIdentity(t *testing.T) {
	sign := func(secret string, exp time.Time) string {
		return rec.SignIdentity([]byte(secret), rec.Identity{Sub: "client-9", Name: "Inès", Exp: exp.Unix()})
	}
	later := time.Now().Add(time.Hour)
	tests := []struct {
		name     string
		secret   string // the server's
		identity string
		maxAge   time.Duration // RELAIS_IDENTITY_MAX_AGE; 0: the default (24 h)
		want     int
	}{
		{name: "valid", secret: testIdentitySecret, identity: sign(testIdentitySecret, later), want: http.StatusCreated},
		{name: "no identity", secret: testIdentitySecret, want: http.StatusCreated},
		{name: "bad signature", secret: testIdentitySecret, identity: sign("un-autre-secret-assez-long", later), want: http.StatusUnprocessableEntity},
		{name: "valid for 100 years", secret: testIdentitySecret, identity: sign(testIdentitySecret, time.Now().AddDate(100, 0, 0)), want: http.StatusUnprocessableEntity},
		{name: "valid for 25 hours, default maximum", secret: testIdentitySecret, identity: sign(testIdentitySecret, time.Now().Add(25*time.Hour)), want: http.StatusUnprocessableEntity},
		{name: "valid for 23 hours, default maximum", secret: testIdentitySecret, identity: sign(testIdentitySecret, time.Now().Add(23*time.Hour)), want: http.StatusCreated},
		{name: "valid for 20 minutes, 10 allowed", secret: testIdentitySecret, identity: sign(testIdentitySecret, time.Now().Add(20*time.Minute)), maxAge: 10 * time.Minute, want: http.StatusUnprocessableEntity},
		{name: "valid for 5 minutes, 10 allowed", secret: testIdentitySecret, identity: sign(testIdentitySecret, time.Now().Add(5*time.Minute)), maxAge: 10 * time.Minute, want: http.StatusCreated},
		{name: "expired", secret: testIdentitySecret, identity: sign(testIdentitySecret, time.Now().Add(-time.Minute)), want: http.StatusUnprocessableEntity},
		{name: "malformed", secret: testIdentitySecret, identity: "pas-un-jeton", want: http.StatusUnprocessableEntity},
		{name: "no secret configured", identity: sign(testIdentitySecret, later), want: http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.IdentitySecret = tt.secret
			if tt.maxAge > 0 {
				cfg.IdentityMaxAge = tt.maxAge
			}
			d := startDesk(t, storetest.Open(t), cfg)
			cookie := d.session(t, d.addAgent(t, "alice").ID)
			body := ""
			if tt.identity != "" {
				data, _ := json.Marshal(map[string]string{"identity": tt.identity})
				body = string(data)
			}
			status, _, data := call(t, "POST", d.url+"/api/v1/conversations", "", body)
			if status != tt.want {
				t.Fatalf("got %d %s, want %d", status, data, tt.want)
			}
			if status != http.StatusCreated {
				if e := decode[errorBody](t, data); e.Error.Code != "invalid_identity" || e.Error.Message != "Identité client invalide." {
					t.Errorf("got %s, want invalid_identity", data)
				}
				return
			}
			c := decode[created](t, data)
			d.say(t, c, "conseiller")
			view, _ := mustDesk[struct {
				Task struct {
					CustomerID string `json:"customer_id"`
				}
				Customer *rec.Customer
			}](t, d, cookie, http.StatusOK, "GET", "/conversations/"+c.ID, "")
			if tt.identity == "" {
				if view.Customer != nil || view.Task.CustomerID != "" {
					t.Errorf("no identity: got customer %+v", view.Customer)
				}
				return
			}
			if view.Customer == nil || view.Customer.ExternalID != "client-9" || view.Customer.Name != "Inès" || view.Task.CustomerID != view.Customer.ID {
				t.Errorf("got task customer %q and %+v, want the customer of client-9", view.Task.CustomerID, view.Customer)
			}
		})
	}
}

// TestTwoAgentsOnTwoInstancesSaveTheSameVersion: one 200, one 409, every time.
func TestTwoAgentsOnTwoInstancesSaveTheSameVersion(t *testing.T) {
	st := storetest.Open(t)
	one, two := startDesk(t, st, testConfig()), startDesk(t, st, testConfig())
	alice := one.session(t, one.addAgent(t, "alice").ID)
	bob := two.session(t, two.addAgent(t, "bob").ID)
	c := one.newCustomer(t, alice, `{"name":"Claire"}`)
	for round := range 20 {
		cur, h := mustDesk[rec.Customer](t, two, bob, http.StatusOK, "GET", "/customers/"+c.ID, "")
		version := h.Get("ETag")
		statuses := make([]int, 2)
		var wg sync.WaitGroup
		for i, side := range []struct {
			d      *deskInstance
			cookie *http.Cookie
		}{{one, alice}, {two, bob}} {
			wg.Go(func() {
				body := `{"name":"Claire ` + strings.Repeat("x", i+1) + `"}`
				statuses[i], _, _ = side.d.deskCall(t, side.cookie, "PUT", "/customers/"+c.ID, body, "If-Match", version)
			})
		}
		wg.Wait()
		ok, conflict := 0, 0
		for _, s := range statuses {
			switch s {
			case http.StatusOK:
				ok++
			case http.StatusConflict:
				conflict++
			}
		}
		if ok != 1 || conflict != 1 {
			t.Fatalf("round %d (version %s of %+v): got %v, want one 200 and one 409", round, version, cur.Version, statuses)
		}
	}
}
