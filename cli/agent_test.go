package cli_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/relais/relais/handoff"
	"github.com/relais/relais/store"
)

func TestAgentAddUsage(t *testing.T) {
	t.Setenv("REDIS_URL", "")
	tests := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{name: "no subcommand", args: []string{"agent"}, code: 2, want: "sous-commande attendue"},
		{name: "unknown subcommand", args: []string{"agent", "remove"}, code: 2, want: "sous-commande inconnue"},
		{name: "no login", args: []string{"agent", "add", "--name", "Claire"}, code: 2, want: "--login et --name"},
		{name: "embedded store refused", args: []string{"agent", "add", "--login", "claire", "--name", "Claire"}, code: 1, want: "REDIS_URL n'est pas défini"},
		{name: "password without login", args: []string{"agent", "password"}, code: 2, want: "--login est obligatoire"},
		{name: "password on the embedded store", args: []string{"agent", "password", "--login", "claire"}, code: 1, want: "REDIS_URL n'est pas défini"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("got %d %q, want %d and %q", code, stderr, tt.code, tt.want)
			}
		})
	}
}

// TestAgentAdd creates accounts in the real Redis (relais: namespace, as the server reads
// it) under a random login, and removes them at the end.
func TestAgentAdd(t *testing.T) {
	url := os.Getenv("REDIS_URL")
	if url == "" {
		t.Skip("REDIS_URL non défini : l'ajout d'agent demande un vrai Redis")
	}
	st, err := store.Open(context.Background(), url, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	acc := handoff.NewAccounts(st, handoff.AccountOptions{})
	b := make([]byte, 4)
	rand.Read(b)
	login := "test-" + hex.EncodeToString(b)
	t.Cleanup(func() {
		for _, l := range []string{login, login + "-stdin", login + "-chef"} {
			if ag, err := acc.ByLogin(context.Background(), l); err == nil {
				acc.Remove(context.Background(), ag.ID)
			}
		}
	})

	code, stdout, stderr := run(t, "agent", "add", "--login", login, "--name", "Claire Martin", "--skills", "facturation, livraison")
	if code != 0 || !strings.Contains(stdout, "compétences : facturation, livraison") {
		t.Fatalf("add: got %d %q %q", code, stdout, stderr)
	}
	_, password, ok := strings.Cut(stdout, "une seule fois) : ")
	if !ok {
		t.Fatalf("no password printed: %q", stdout)
	}
	if _, err := acc.Authenticate(context.Background(), login, strings.TrimSpace(password), "127.0.0.1"); err != nil {
		t.Errorf("the printed password does not work: %v", err)
	}
	code, _, stderr = run(t, "agent", "add", "--login", strings.ToUpper(login), "--name", "Autre")
	if code != 1 || !strings.Contains(stderr, "déjà utilisé") {
		t.Errorf("duplicate: got %d %q, want 1 and « déjà utilisé »", code, stderr)
	}

	code, stdout, stderr = runWithInput(t, "mon-mot-de-passe-secret\n", "agent", "add", "--login", login+"-stdin", "--name", "Léa", "--password-stdin", "--capacity", "2")
	if code != 0 || strings.Contains(stdout, "Mot de passe") || !strings.Contains(stdout, "capacité 2") {
		t.Fatalf("add with stdin: got %d %q %q", code, stdout, stderr)
	}
	if _, err := acc.Authenticate(context.Background(), login+"-stdin", "mon-mot-de-passe-secret", "127.0.0.2"); err != nil {
		t.Errorf("password from stdin: %v", err)
	}

	code, _, stderr = runWithInput(t, "azerty123456\n", "agent", "add", "--login", login+"-weak", "--name", "Léo", "--password-stdin")
	if code != 1 || !strings.Contains(stderr, "trop facile à deviner") {
		t.Errorf("weak password: got %d %q, want 1 and « trop facile à deviner »", code, stderr)
	}
	code, _, stderr = runWithInput(t, "aaaaaaaaaaaa\n", "agent", "password", "--login", login, "--password-stdin")
	if code != 1 || !strings.Contains(stderr, "trop facile à deviner") {
		t.Errorf("weak new password: got %d %q, want 1 and « trop facile à deviner »", code, stderr)
	}
	code, stdout, stderr = runWithInput(t, "un-nouveau-mot-de-passe\n", "agent", "password", "--login", login, "--password-stdin")
	if code != 0 || !strings.Contains(stdout, "Mot de passe changé") {
		t.Fatalf("new password: got %d %q %q", code, stdout, stderr)
	}
	if _, err := acc.Authenticate(context.Background(), login, "un-nouveau-mot-de-passe", "127.0.0.3"); err != nil {
		t.Errorf("new password: %v", err)
	}
	agentRoles(t, acc, login)
}

// agentRoles changes the role of login's account, an agent since agent add had no --role,
// and creates a supervisor.
func agentRoles(t *testing.T, acc *handoff.Accounts, login string) {
	t.Helper()
	role := func(l string) handoff.Role {
		ag, err := acc.ByLogin(context.Background(), l)
		if err != nil {
			t.Fatal(err)
		}
		return ag.Role
	}
	if r := role(login); r != handoff.RoleAgent {
		t.Errorf("role without --role: %q, want agent", r)
	}
	code, stdout, stderr := run(t, "agent", "role", "--login", login, "--role", "superviseur")
	if code != 0 || !strings.Contains(stdout, "est maintenant superviseur") || role(login) != handoff.RoleSupervisor {
		t.Errorf("agent role: got %d %q %q, role %q", code, stdout, stderr, role(login))
	}
	code, _, stderr = run(t, "agent", "role", "--login", login, "--role", "chef")
	if code != 1 || !strings.Contains(stderr, "Rôle inconnu") || role(login) != handoff.RoleSupervisor {
		t.Errorf("unknown role: got %d %q", code, stderr)
	}
	code, _, stderr = run(t, "agent", "role", "--login", login+"-absent", "--role", "agent")
	if code != 1 || !strings.Contains(stderr, "introuvable") {
		t.Errorf("unknown login: got %d %q", code, stderr)
	}
	code, stdout, stderr = run(t, "agent", "add", "--login", login+"-chef", "--name", "Inès Chef", "--role", "superviseur")
	if code != 0 || !strings.Contains(stdout, "rôle superviseur") || role(login+"-chef") != handoff.RoleSupervisor {
		t.Errorf("add --role: got %d %q %q", code, stdout, stderr)
	}
}
