package cli_test

import (
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/handoff/desk"
)

func TestIdentitySign(t *testing.T) {
	const secret = "secret-de-test-de-la-cli"
	t.Setenv("RELAIS_IDENTITY_SECRET", secret)
	code, stdout, stderr := run(t, "identity", "sign", "--sub", "client-42", "--name", "Léa Durand",
		"--email", "lea@exemple.fr", "--phone", "0612345678", "--ttl", "2h")
	if code != 0 {
		t.Fatalf("got %d %q, want 0", code, stderr)
	}
	id, err := desk.VerifyIdentity([]byte(secret), strings.TrimSpace(stdout), time.Now())
	if err != nil {
		t.Fatalf("the printed token does not verify: %v", err)
	}
	if id.Sub != "client-42" || id.Name != "Léa Durand" || id.Email != "lea@exemple.fr" || id.Phone != "0612345678" {
		t.Errorf("got %+v", id)
	}
	if left := time.Until(time.Unix(id.Exp, 0)); left < 119*time.Minute || left > 2*time.Hour {
		t.Errorf("expiry in %s, want about 2 h", left)
	}
	if _, err := desk.VerifyIdentity([]byte(secret), strings.TrimSpace(stdout), time.Now().Add(3*time.Hour)); err == nil {
		t.Errorf("the token still verifies after its ttl")
	}
}

func TestIdentitySignUsage(t *testing.T) {
	tests := []struct {
		name   string
		secret string
		args   []string
		code   int
		want   string
	}{
		{name: "no subcommand", secret: "s", args: []string{"identity"}, code: 2, want: "sous-commande attendue"},
		{name: "unknown subcommand", secret: "s", args: []string{"identity", "verify"}, code: 2, want: "sous-commande inconnue"},
		{name: "no sub", secret: "s", args: []string{"identity", "sign"}, code: 2, want: "--sub"},
		{name: "no secret", args: []string{"identity", "sign", "--sub", "x"}, code: 1, want: "RELAIS_IDENTITY_SECRET"},
		{name: "bad ttl", secret: "s", args: []string{"identity", "sign", "--sub", "x", "--ttl", "-1h"}, code: 2, want: "--ttl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("RELAIS_IDENTITY_SECRET", tt.secret)
			code, _, stderr := run(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("got %d %q, want %d and %q", code, stderr, tt.code, tt.want)
			}
		})
	}
}
