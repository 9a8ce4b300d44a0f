package handoff_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff"
)

func TestAddAgent(t *testing.T) {
	h := newHarness(t)
	first, err := h.acc.Add(h.ctx, handoff.NewAgent{Login: " Claire.M ", Name: "Claire", Password: "un-mot-de-passe", Skills: []string{"facturation"}})
	if err != nil {
		t.Fatal(err)
	}
	if first.Login != "claire.m" || first.Capacity != 1 {
		t.Errorf("got login %q capacity %d, want claire.m and 1", first.Login, first.Capacity)
	}
	tests := []struct {
		name  string
		agent handoff.NewAgent
		code  apperr.Code
	}{
		{name: "duplicate login, other case", agent: handoff.NewAgent{Login: "CLAIRE.M", Name: "Autre", Password: "un-mot-de-passe"}, code: apperr.Conflict},
		{name: "login with a space", agent: handoff.NewAgent{Login: "a b", Name: "X", Password: "un-mot-de-passe"}, code: apperr.Invalid},
		{name: "no name", agent: handoff.NewAgent{Login: "bob", Password: "un-mot-de-passe"}, code: apperr.Invalid},
		{name: "short password", agent: handoff.NewAgent{Login: "bob", Name: "Bob", Password: "court"}, code: apperr.Invalid},
		{name: "capacity too high", agent: handoff.NewAgent{Login: "bob", Name: "Bob", Password: "un-mot-de-passe", Capacity: 99}, code: apperr.Invalid},
		{name: "skill with a comma", agent: handoff.NewAgent{Login: "bob", Name: "Bob", Password: "un-mot-de-passe", Skills: []string{"a,b"}}, code: apperr.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.acc.Add(h.ctx, tt.agent)
			wantCode(t, err, tt.code)
		})
	}
	got, err := h.acc.Get(h.ctx, first.ID)
	if err != nil || got.Name != "Claire" || len(got.Skills) != 1 || got.Skills[0] != "facturation" {
		t.Errorf("get: got %+v %v", got, err)
	}
	if list, _ := h.acc.List(h.ctx); len(list) != 1 {
		t.Errorf("list: got %d accounts, want 1", len(list))
	}
	if err := h.acc.Remove(h.ctx, first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.acc.ByLogin(h.ctx, "claire.m"); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("after remove: got %v, want not found", err)
	}
}

func TestAuthenticate(t *testing.T) {
	h := newHarness(t)
	ag, err := h.acc.Add(h.ctx, handoff.NewAgent{Login: "claire", Name: "Claire", Password: "un-mot-de-passe"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, login, password, ip string
		code                      apperr.Code // "" = success
	}{
		{name: "right password", login: "Claire", password: "un-mot-de-passe", ip: "10.0.0.1"},
		{name: "wrong password", login: "claire", password: "autre-chose", ip: "10.0.0.1", code: apperr.Unauthorized},
		{name: "unknown login", login: "personne", password: "un-mot-de-passe", ip: "10.0.0.1", code: apperr.Unauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h.acc.Authenticate(h.ctx, tt.login, tt.password, tt.ip)
			if tt.code == "" {
				if err != nil || got.ID != ag.ID {
					t.Errorf("got %v %v, want the agent", got.ID, err)
				}
				return
			}
			wantCode(t, err, tt.code)
		})
	}
}

func TestLoginRateLimit(t *testing.T) {
	tests := []struct {
		name string
		ip   func(i int) string // address of attempt i
	}{
		{name: "per login, from many addresses", ip: func(i int) string { return "10.0.0." + string(rune('1'+i)) }},
		{name: "per address", ip: func(int) string { return "10.0.0.9" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if _, err := h.acc.Add(h.ctx, handoff.NewAgent{Login: "claire", Name: "Claire", Password: "un-mot-de-passe"}); err != nil {
				t.Fatal(err)
			}
			login := func(i int) string {
				if tt.name == "per address" {
					return "login" + string(rune('a'+i)) // a different login each time
				}
				return "claire"
			}
			for i := range 5 {
				_, err := h.acc.Authenticate(h.ctx, login(i), "faux-mot-de-passe", tt.ip(i))
				wantCode(t, err, apperr.Unauthorized)
			}
			_, err := h.acc.Authenticate(h.ctx, "claire", "un-mot-de-passe", tt.ip(5))
			var e *apperr.Error
			if !errors.As(err, &e) || e.Code != apperr.TooMany || e.RetryAfter <= 0 {
				t.Errorf("sixth attempt: got %v, want too_many with a delay", err)
			}
		})
	}
}

// TestOfficeLogins: successful logins do not count against the shared address.
func TestOfficeLogins(t *testing.T) {
	h := newHarness(t)
	for i := range 10 {
		login := fmt.Sprintf("agent%d", i)
		if _, err := h.acc.Add(h.ctx, handoff.NewAgent{Login: login, Name: login, Password: "un-mot-de-passe"}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.acc.Authenticate(h.ctx, login, "un-mot-de-passe", "192.0.2.1"); err != nil {
			t.Fatalf("login %d of 10 from one office address: %v", i+1, err)
		}
	}
}

func TestSessions(t *testing.T) {
	h := newHarness(t)
	ag, err := h.acc.Add(h.ctx, handoff.NewAgent{Login: "claire", Name: "Claire", Password: "un-mot-de-passe"})
	if err != nil {
		t.Fatal(err)
	}
	token, err := h.acc.CreateSession(h.ctx, ag.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := h.acc.SessionAgent(h.ctx, token); err != nil || got.ID != ag.ID {
		t.Fatalf("session: got %v %v, want the agent", got.ID, err)
	}
	if err := h.acc.DeleteSession(h.ctx, token); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{token, "", "inconnu"} {
		_, err := h.acc.SessionAgent(h.ctx, tok)
		wantCode(t, err, apperr.Unauthorized)
	}
	_, err = h.acc.CreateSession(h.ctx, "inconnu")
	wantCode(t, err, apperr.NotFound)
}

func TestGeneratePassword(t *testing.T) {
	a, b := handoff.GeneratePassword(), handoff.GeneratePassword()
	if len(a) != 20 || a == b {
		t.Errorf("got %q and %q, want two different 20-character passwords", a, b)
	}
}
