package handoff_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

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
		{name: "weak password", agent: handoff.NewAgent{Login: "bob", Name: "Bob", Password: "aaaaaaaaaa"}, code: apperr.Invalid},
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

// TestLoginRateLimit: attempts count per (address, login) and per address, with delays that
// grow; a stranger's failures never lock the agent out of her own address.
func TestLoginRateLimit(t *testing.T) {
	tests := []struct {
		name     string
		login    func(i int) string // login of failed attempt i, all from 10.0.0.9
		attempts int
		from     string // address of the right password afterwards
		wantCode apperr.Code
		wantMsg  string
	}{
		{name: "pair blocked", login: func(int) string { return "claire" }, attempts: 5, from: "10.0.0.9",
			wantCode: apperr.TooMany, wantMsg: "pour cet identifiant"},
		{name: "other address unaffected", login: func(int) string { return "claire" }, attempts: 20, from: "10.0.0.1"},
		{name: "address blocked, all logins", login: func(i int) string { return fmt.Sprintf("login%d", i) }, attempts: 30,
			from: "10.0.0.9", wantCode: apperr.TooMany, wantMsg: "tous identifiants confondus"},
		{name: "four failures", login: func(int) string { return "claire" }, attempts: 4, from: "10.0.0.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			acc := handoff.NewAccounts(h.st, handoff.AccountOptions{Cost: 10, Now: h.clock.Now})
			if _, err := acc.Add(h.ctx, handoff.NewAgent{Login: "claire", Name: "Claire", Password: "un-mot-de-passe"}); err != nil {
				t.Fatal(err)
			}
			for i := range tt.attempts {
				_, err := acc.Authenticate(h.ctx, tt.login(i), "faux-mot-de-passe", "10.0.0.9")
				if apperr.CodeOf(err) == apperr.TooMany {
					h.clock.Advance(apperr.RetryAfterOf(err)) // the attacker waits each delay out
					_, err = acc.Authenticate(h.ctx, tt.login(i), "faux-mot-de-passe", "10.0.0.9")
				}
				wantCode(t, err, apperr.Unauthorized)
			}
			_, err := acc.Authenticate(h.ctx, "claire", "un-mot-de-passe", tt.from)
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("right password from %s: got %v, want success", tt.from, err)
				}
				return
			}
			var e *apperr.Error
			if !errors.As(err, &e) || e.Code != tt.wantCode || e.RetryAfter <= 0 || !strings.Contains(e.Message, tt.wantMsg) {
				t.Errorf("right password from %s: got %v, want %s with a delay and %q", tt.from, err, tt.wantCode, tt.wantMsg)
			}
		})
	}
}

// TestLoginDelaysGrow: past the limit, each attempt after the delay earns a longer one.
func TestLoginDelaysGrow(t *testing.T) {
	h := newHarness(t)
	acc := handoff.NewAccounts(h.st, handoff.AccountOptions{Cost: 10, Now: h.clock.Now, MaxDelay: 8 * time.Second})
	for range 4 {
		acc.Authenticate(h.ctx, "claire", "faux", "10.0.0.9")
	}
	var got []time.Duration
	for range 6 {
		acc.Authenticate(h.ctx, "claire", "faux", "10.0.0.9") // allowed, then the next waits
		_, err := acc.Authenticate(h.ctx, "claire", "faux", "10.0.0.9")
		d := apperr.RetryAfterOf(err)
		got = append(got, d)
		h.clock.Advance(d)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second, 8 * time.Second}
	if !slices.Equal(got, want) {
		t.Errorf("delays: got %v, want %v", got, want)
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

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		name, password string
		wantMsg        string // "" = accepted
	}{
		{name: "generated", password: handoff.GeneratePassword()},
		{name: "phrase", password: "un-mot-de-passe"},
		{name: "long phrase", password: "cheval bleu mange des pommes"},
		{name: "short", password: "Xk9#mP2", wantMsg: "de 10 à 72 caractères"},
		{name: "repeat", password: "aaaaaaaaaa", wantMsg: "trop facile"},
		{name: "digits", password: "1234567890", wantMsg: "trop facile"},
		{name: "keyboard row", password: "azertyuiop", wantMsg: "trop facile"},
		{name: "french word and digits", password: "motdepasse123", wantMsg: "trop facile"},
		{name: "french words", password: "jetaime2024!", wantMsg: "trop facile"},
		{name: "first name and year", password: "Camille1987", wantMsg: "trop facile"},
		{name: "login inside", password: "claire.martin-42", wantMsg: "reprendre l'identifiant"},
		{name: "name inside", password: "Martin75015xx", wantMsg: "reprendre l'identifiant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := handoff.CheckPassword(tt.password, "claire.martin", "Martin")
			switch {
			case tt.wantMsg == "" && err != nil:
				t.Errorf("got %v, want accepted", err)
			case tt.wantMsg != "" && (apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(apperr.MessageOf(err), tt.wantMsg)):
				t.Errorf("got %v, want invalid with %q", err, tt.wantMsg)
			}
		})
	}
}

func TestSetPassword(t *testing.T) {
	h := newHarness(t)
	ag, err := h.acc.Add(h.ctx, handoff.NewAgent{Login: "claire", Name: "Claire", Password: "un-mot-de-passe"})
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, h.acc.SetPassword(h.ctx, ag.ID, "aaaaaaaaaaaa"), apperr.Invalid)
	wantCode(t, h.acc.SetPassword(h.ctx, "inconnu", "un-autre-mot-de-passe"), apperr.NotFound)
	if err := h.acc.SetPassword(h.ctx, ag.ID, "un-autre-mot-de-passe"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.acc.Authenticate(h.ctx, "claire", "un-autre-mot-de-passe", "10.0.0.1"); err != nil {
		t.Errorf("new password: got %v, want success", err)
	}
	_, err = h.acc.Authenticate(h.ctx, "claire", "un-mot-de-passe", "10.0.0.1")
	wantCode(t, err, apperr.Unauthorized)
}

func TestGeneratePassword(t *testing.T) {
	a, b := handoff.GeneratePassword(), handoff.GeneratePassword()
	if len(a) != 20 || a == b {
		t.Errorf("got %q and %q, want two different 20-character passwords", a, b)
	}
}

func TestRoles(t *testing.T) {
	h := newHarness(t)
	plain, err := h.acc.Add(h.ctx, handoff.NewAgent{Login: "agent.simple", Name: "Agent", Password: "un-mot-de-passe"})
	h.must(nil, err)
	boss, err := h.acc.Add(h.ctx, handoff.NewAgent{Login: "chef", Name: "Cheffe", Password: "un-mot-de-passe", Role: "Superviseur"})
	h.must(nil, err)
	if plain.Role != handoff.RoleAgent || boss.Role != handoff.RoleSupervisor {
		t.Errorf("roles %q and %q, want agent and superviseur", plain.Role, boss.Role)
	}
	_, err = h.acc.Add(h.ctx, handoff.NewAgent{Login: "x", Name: "X", Password: "un-mot-de-passe", Role: "admin"})
	wantCode(t, err, apperr.Invalid)

	// An account made before roles existed has no role field: it is an agent.
	h.must(nil, h.st.Client.HDel(h.ctx, h.st.Key("{handoff}")+":agent:"+plain.ID, "role").Err())
	if got, err := h.acc.Get(h.ctx, plain.ID); err != nil || got.Role != handoff.RoleAgent || got.Role.MayErase() {
		t.Errorf("account without a role: %q, %v", got.Role, err)
	}
	h.must(nil, h.acc.SetRole(h.ctx, plain.ID, handoff.RoleSupervisor))
	if got, _ := h.acc.Get(h.ctx, plain.ID); !got.Role.MayErase() {
		t.Errorf("after SetRole: %q", got.Role)
	}
	wantCode(t, h.acc.SetRole(h.ctx, plain.ID, "patron"), apperr.Invalid)
	wantCode(t, h.acc.SetRole(h.ctx, "personne", handoff.RoleAgent), apperr.NotFound)
}
