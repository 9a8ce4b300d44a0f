package dialog

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// SessionLock is how a Redis script of another package takes and releases a conversation's
// session lock with the protocol of RedisSessions, in the same round trip as its own work:
// the server takes it with the customer's message and releases it, saving the session, with
// the bot's answer (two round trips per turn instead of four). Both keys carry the hash tag
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
	return r.Lock(id), true
}

// Lock returns a fresh SessionLock of conversation id's session.
func (r *RedisSessions) Lock(id string) SessionLock {
	lock, session := r.keys(id)
	return SessionLock{Key: lock, SessionKey: session, Token: randomToken(), TTL: lockTTL, SessionTTL: r.TTL}
}

// HandleHeld answers one customer message on a session its caller holds under the
// conversation's lock (data as stored, "" for none) and returns the session to save.
func (e *Engine) HandleHeld(ctx context.Context, id, text, data string) (Turn, []byte, error) {
	return e.held(ctx, id, data, func(t *turn) {
		t.text = strings.TrimSpace(text)
		t.run()
	})
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
