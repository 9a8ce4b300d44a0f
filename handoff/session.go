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

// Authenticate checks a login and password from address ip. Attempts are counted per
// (address, login) and per address, never per login alone: a stranger who guesses wrong
// slows down only himself, and the agent logs in from her own address whatever he did. Past
// AccountOptions.Attempts for one pair (or AddressAttempts for one address), each further
// attempt waits longer (growing delays). The count happens before the password is checked, so
// guessing is as slow for a right password as for a wrong one; a success clears the pair's
// count and takes itself off the address's. Unknown logins and wrong passwords get the same
// error in the same time.
func (a *Accounts) Authenticate(ctx context.Context, login, password, ip string) (Agent, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	if ip == "" {
		ip = "inconnue"
	}
	pk, ik := a.limitKey("pair", ip+"\x00"+login), a.limitKey("ip", ip)
	if err := a.countAttempt(ctx, pk, ik); err != nil {
		return Agent{}, err
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
	successScript.Run(ctx, a.st.Client, []string{pk, ik}, a.opts.AddressAttempts)
	return ag, nil
}

// countAttempt runs attemptScript and turns a refusal into a TooMany error whose French
// message says which count was reached and how long to wait.
func (a *Accounts) countAttempt(ctx context.Context, pairKey, ipKey string) error {
	o := a.opts
	res, err := attemptScript.Run(ctx, a.st.Client, []string{pairKey, ipKey}, o.Now().UnixMilli(),
		o.Attempts, o.AddressAttempts, o.FirstDelay.Milliseconds(), o.MaxDelay.Milliseconds(),
		o.Forget.Milliseconds()).Int64Slice()
	if err != nil || len(res) != 2 {
		return unavailable(fmt.Errorf("compte des tentatives : %v %w", res, err))
	}
	if res[0] == 0 {
		return nil
	}
	wait := time.Duration(res[1]) * time.Millisecond
	if res[0] == 1 {
		return apperr.Limited("Trop de tentatives pour cet identifiant depuis votre adresse. Réessayez dans "+
			waitText(wait)+".", wait)
	}
	return apperr.Limited("Trop de tentatives de connexion depuis votre adresse, tous identifiants confondus. "+
		"Réessayez dans "+waitText(wait)+".", wait)
}

// waitText says a delay in French, rounded up: « 3 s », « 2 min ».
func waitText(d time.Duration) string {
	if secs := int((d + time.Second - 1) / time.Second); secs < 60 {
		return fmt.Sprintf("%d s", max(secs, 1))
	}
	return fmt.Sprintf("%d min", int((d+time.Minute-1)/time.Minute))
}

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

// SessionsHeld says, for each of tokens, whether it is still a session of agents[i], and
// renews those that are (as SessionAgent does), in one round trip: the heartbeat of a
// process's desk sockets.
func (a *Accounts) SessionsHeld(ctx context.Context, tokens, agents []string) ([]bool, error) {
	cmds := make([]*redis.StringCmd, len(tokens))
	_, err := a.st.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, token := range tokens {
			cmds[i] = p.GetEx(ctx, a.sessionKey(token), a.opts.SessionTTL)
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, unavailable(err)
	}
	held := make([]bool, len(tokens))
	for i, c := range cmds {
		id, err := c.Result()
		held[i] = err == nil && id == agents[i]
	}
	return held, nil
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
