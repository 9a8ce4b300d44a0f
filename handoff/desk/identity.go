package desk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/relais/relais/apperr"
)

// ErrInvalidIdentity refuses a signed identity that does not verify: bad signature, expired,
// malformed, or sent to a server without a secret.
var ErrInvalidIdentity = apperr.New(apperr.InvalidIdentity, "Identité client invalide.")

// maxIdentity bounds a signed identity, in bytes.
const maxIdentity = 4096

// SignIdentity makes the token a company's site passes to the widget:
// base64url(JSON payload) + "." + base64url(HMAC-SHA256(secret, first part)).
func SignIdentity(secret []byte, id Identity) string {
	payload, _ := json.Marshal(id)
	first := base64.RawURLEncoding.EncodeToString(payload)
	return first + "." + base64.RawURLEncoding.EncodeToString(mac(secret, first))
}

// VerifyIdentity checks a token made by SignIdentity at now and returns what it says. Every
// failure is ErrInvalidIdentity; the cause stays in the error chain for the logs.
func VerifyIdentity(secret []byte, token string, now time.Time) (Identity, error) {
	if len(secret) == 0 {
		return Identity{}, invalidIdentity("aucun secret RELAIS_IDENTITY_SECRET configuré")
	}
	token = strings.TrimSpace(token)
	first, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > maxIdentity {
		return Identity{}, invalidIdentity("forme inattendue")
	}
	got, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(sig, "="))
	if err != nil || !hmac.Equal(got, mac(secret, first)) {
		return Identity{}, invalidIdentity("signature")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(first, "="))
	if err != nil {
		return Identity{}, invalidIdentity("charge illisible")
	}
	var id Identity
	if err := json.Unmarshal(payload, &id); err != nil {
		return Identity{}, invalidIdentity("JSON illisible")
	}
	switch {
	case id.Sub == "" || utf8.RuneCountInString(id.Sub) > MaxName || !utf8.ValidString(id.Sub):
		return Identity{}, invalidIdentity("sub absent ou trop long")
	case id.Exp == 0 || now.Unix() >= id.Exp:
		return Identity{}, invalidIdentity("expirée")
	}
	return id, nil
}

func mac(secret []byte, first string) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(first))
	return h.Sum(nil)
}

func invalidIdentity(why string) error {
	return &apperr.Error{Code: ErrInvalidIdentity.Code, Message: ErrInvalidIdentity.Message,
		Err: apperr.New(apperr.InvalidIdentity, why)}
}
