package handoff

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"

	"github.com/relais/relais/apperr"
)

var errBadCredentials = apperr.New(apperr.Unauthorized, "Identifiant ou mot de passe incorrect.")

// limitScript counts one login attempt against the login and the IP address, in one step.
// KEYS: login counter, address counter. ARGV: limit, window (ms).
// Reply: 0 when allowed, else the milliseconds until the next attempt may succeed.
var limitScript = redis.NewScript(`
local limit, wait = tonumber(ARGV[1]), 0
for i = 1, 2 do
  local n = redis.call('INCR', KEYS[i])
  if n == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
  if n > limit then wait = math.max(wait, redis.call('PTTL', KEYS[i]), 1) end
end
return wait
`)

// Authenticate checks a login and password from address ip. Attempts are limited per login
// and per address (AccountOptions.Attempts per Window), counted before the password is
// checked, so guessing is as slow for a right password as for a wrong one; a success clears
// the login's count. Unknown logins and wrong passwords get the same error in the same time.
func (a *Accounts) Authenticate(ctx context.Context, login, password, ip string) (Agent, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	if ip == "" {
		ip = "inconnue"
	}
	lk, ik := a.limitKey("login", login), a.limitKey("ip", ip)
	wait, err := limitScript.Run(ctx, a.st.Client, []string{lk, ik}, a.opts.Attempts, a.opts.Window.Milliseconds()).Int64()
	if err != nil {
		return Agent{}, unavailable(err)
	}
	if wait > 0 {
		d := time.Duration(wait) * time.Millisecond
		return Agent{}, apperr.Limited(fmt.Sprintf("Trop de tentatives de connexion. Réessayez dans %d s.",
			int((d+time.Second-1)/time.Second)), d)
	}
	ag, err := a.ByLogin(ctx, login)
	if apperr.CodeOf(err) == apperr.NotFound || len(password) > maxPassword {
		bcrypt.CompareHashAndPassword(a.dummyHash(), []byte(password))
		return Agent{}, errBadCredentials
	}
	if err != nil {
		return Agent{}, err
	}
	if bcrypt.CompareHashAndPassword(ag.PasswordHash, []byte(password)) != nil {
		return Agent{}, errBadCredentials
	}
	successScript.Run(ctx, a.st.Client, []string{lk, ik})
	return ag, nil
}

// successScript forgets the login's failures and takes the success off the address's count:
// the agents of one office share an address and must all be able to log in.
var successScript = redis.NewScript(`
redis.call('DEL', KEYS[1])
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 0`)

// limitKey names an attempt counter; what people typed is hashed, never a key as such.
func (a *Accounts) limitKey(kind, v string) string {
	sum := sha256.Sum256([]byte(v))
	return a.st.Key("{handoff:auth}", kind, hex.EncodeToString(sum[:12]))
}

func (a *Accounts) dummyHash() []byte {
	a.dummyOnce.Do(func() {
		a.dummy, _ = bcrypt.GenerateFromPassword([]byte("mot de passe factice"), a.opts.Cost)
	})
	return a.dummy
}

// CreateSession opens a desk session for agent and returns its token, for an HttpOnly
// cookie. Redis keeps only the token's hash.
func (a *Accounts) CreateSession(ctx context.Context, agentID string) (string, error) {
	if _, err := a.Get(ctx, agentID); err != nil {
		return "", err
	}
	b := make([]byte, 32)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	if err := a.st.Client.Set(ctx, a.sessionKey(token), agentID, a.opts.SessionTTL).Err(); err != nil {
		return "", unavailable(err)
	}
	return token, nil
}

var errNoSession = apperr.New(apperr.Unauthorized, "Session expirée ou inconnue : reconnectez-vous.")

// SessionAgent returns the agent of a session and extends the session's life.
func (a *Accounts) SessionAgent(ctx context.Context, token string) (Agent, error) {
	if token == "" || len(token) > 100 {
		return Agent{}, errNoSession
	}
	id, err := a.st.Client.GetEx(ctx, a.sessionKey(token), a.opts.SessionTTL).Result()
	if errors.Is(err, redis.Nil) {
		return Agent{}, errNoSession
	}
	if err != nil {
		return Agent{}, unavailable(err)
	}
	ag, err := a.Get(ctx, id)
	if apperr.CodeOf(err) == apperr.NotFound {
		return Agent{}, errNoSession
	}
	return ag, err
}

// DeleteSession ends a session (logout). Ending an unknown session is not an error.
func (a *Accounts) DeleteSession(ctx context.Context, token string) error {
	if err := a.st.Client.Del(ctx, a.sessionKey(token)).Err(); err != nil {
		return unavailable(err)
	}
	return nil
}

func (a *Accounts) sessionKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return a.st.Key("agentsession", hex.EncodeToString(sum[:]))
}
