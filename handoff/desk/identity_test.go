package desk_test

import (
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff/desk"
)

func TestIdentity(t *testing.T) {
	secret := []byte("secret-de-test")
	now := time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)
	valid := desk.SignIdentity(secret, desk.Identity{Sub: "ext-1", Name: "Léa", Exp: now.Add(time.Hour).Unix()})
	first, sig, _ := strings.Cut(valid, ".")
	tests := []struct {
		name   string
		secret []byte
		token  string
		ok     bool
	}{
		{name: "valid", secret: secret, token: valid, ok: true},
		{name: "other secret", secret: []byte("autre"), token: valid},
		{name: "no secret", token: valid},
		{name: "payload changed", secret: secret, token: desk.SignIdentity([]byte("x"), desk.Identity{Sub: "ext-2", Exp: now.Add(time.Hour).Unix()})[:10] + "." + sig},
		{name: "signature cut", secret: secret, token: first + "." + sig[:10]},
		{name: "expired", secret: secret, token: desk.SignIdentity(secret, desk.Identity{Sub: "ext-1", Exp: now.Unix()})},
		{name: "no expiry", secret: secret, token: desk.SignIdentity(secret, desk.Identity{Sub: "ext-1"})},
		{name: "no sub", secret: secret, token: desk.SignIdentity(secret, desk.Identity{Exp: now.Add(time.Hour).Unix()})},
		{name: "no dot", secret: secret, token: first},
		{name: "empty", secret: secret, token: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := desk.VerifyIdentity(tt.secret, tt.token, now)
			if tt.ok {
				if err != nil || id.Sub != "ext-1" || id.Name != "Léa" {
					t.Fatalf("got %+v %v, want ext-1 Léa", id, err)
				}
				return
			}
			if apperr.CodeOf(err) != apperr.InvalidIdentity || apperr.MessageOf(err) != "Identité client invalide." {
				t.Errorf("got %+v %v, want invalid_identity", id, err)
			}
		})
	}
}
