package dialog

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// SessionLock is how a Redis script of another package takes and releases a conversation's
// session lock with the protocol of RedisSessions, in the same round trip as its own work:
// the server takes it with the customer's message and releases it, saving the session, with
// the bot's answer (two round trips per turn instead of four), or, with HandleAhead, stores
// the new session only if the stored one is still the one the turn read (one round trip).
// Both keys carry the hash tag
// {conversation id}, like the conversation's own keys, so the scripts also run on a cluster.
//
// The protocol: take with SET Key Token NX PX TTL, then read SessionKey ("" or missing: a
// new session); release only while Key still holds Token: SET SessionKey data PX SessionTTL,
// then DEL Key.
type SessionLock struct {
	Key, SessionKey string
	Token           string
	TTL, SessionTTL time.Duration
}

// SessionLock returns a fresh SessionLock for conversation id, or false when the engine's
// sessions are not kept in Redis.
func (e *Engine) SessionLock(id string) (SessionLock, bool) {
	r, ok := e.sessions.(*RedisSessions)
	if !ok {
		return SessionLock{}, false
	}
	lock, session := r.keys(id)
	return SessionLock{Key: lock, SessionKey: session, Token: randomToken(), TTL: lockTTL, SessionTTL: r.TTL}, true
}

// HandleHeld answers one customer message on a session its caller holds under the
// conversation's lock (data as stored, "" for none) and returns the session to save.
func (e *Engine) HandleHeld(ctx context.Context, id, text, data string) (Turn, []byte, error) {
	return e.held(ctx, id, data, func(t *turn) {
		t.text = strings.TrimSpace(text)
		t.run()
	})
}

// ErrNeedsLock is returned by HandleAhead when the turn reaches a webhook: a call with effects
// outside Relais must run only on a session its caller holds, never on one it may discard.
var ErrNeedsLock = errors.New("dialog : ce tour appelle un webhook, il doit tenir le verrou de session")

// HandleAhead answers one customer message on a copy of the session (data as stored) that
// its caller does not hold, and returns the session to save: the caller keeps the answer only
// if the stored session is still data when it saves it (a compare-and-swap), else it answers
// again under the lock. A turn that would call a webhook stops with ErrNeedsLock instead.
func (e *Engine) HandleAhead(ctx context.Context, id, text, data string) (Turn, []byte, error) {
	blocked := false
	out, saved, err := e.held(ctx, id, data, func(t *turn) {
		t.text = strings.TrimSpace(text)
		t.ahead = true
		t.run()
		blocked = t.blocked
	})
	if err == nil && blocked {
		return Turn{}, nil, ErrNeedsLock
	}
	return out, saved, err
}

// StartHeld opens a conversation whose session lock its caller holds: a new session and the
// welcome messages, and the session to save.
func (e *Engine) StartHeld(ctx context.Context, id string) (Turn, []byte, error) {
	return e.held(ctx, id, "", e.welcome)
}

func (e *Engine) held(ctx context.Context, id, data string, body func(*turn)) (Turn, []byte, error) {
	s, err := decodeSession(id, data)
	if err != nil {
		return Turn{}, nil, err
	}
	out := e.play(ctx, id, s, body)
	saved, err := json.Marshal(s)
	if err != nil {
		return Turn{}, nil, err
	}
	return out, saved, nil
}
