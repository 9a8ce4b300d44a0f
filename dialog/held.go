package dialog

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// A caller that stores the session itself, in the same atomic step as the conversation's
// events (the relay's turn), reads it, asks the engine for a turn on it with Answer or Greet,
// and saves the session they return. The engine then neither reads nor locks anything.
//
// A caller that starts a turn from a session it remembers, rather than one it has just read,
// gives a check with WithCheck: the engine runs it before the turn's first webhook, so that a
// backend is not called for a turn computed on a session that has changed since.

// checkKey is the context key of WithCheck.
type checkKey struct{}

// WithCheck returns ctx with check, which the engine calls before the first webhook of a turn
// computed under it: an error from check stops the turn, and Answer returns it.
func WithCheck(ctx context.Context, check func(context.Context) error) context.Context {
	return context.WithValue(ctx, checkKey{}, check)
}

// Check runs the check that WithCheck put in ctx: nil without one. The engine calls it before a
// turn's first webhook; a bot of its own calls it before any side effect.
func Check(ctx context.Context) error {
	if check, ok := ctx.Value(checkKey{}).(func(context.Context) error); ok {
		return check(ctx)
	}
	return nil
}

// SessionKey returns where RedisSessions keeps conversation id's session and for how long,
// or false when the engine's sessions are not kept in Redis. The key carries the hash tag
// {conversation id}, like the conversation's own keys, so that one script may write both,
// also on a Redis Cluster.
func (e *Engine) SessionKey(id string) (key string, ttl time.Duration, ok bool) {
	r, ok := e.sessions.(*RedisSessions)
	if !ok {
		return "", 0, false
	}
	return r.Key(id), r.TTL, true
}

// Key is where conversation id's session is kept (see Engine.SessionKey).
func (r *RedisSessions) Key(id string) string {
	_, key := r.keys(id)
	return key
}

// Answer answers one customer message on the session data as stored ("" for none) and returns
// the session to save. Its caller stores the turn only if the session is still data then; the
// webhooks it calls are told a key that is the same for every turn computed on one session
// (Call.Key), so that a backend sees a turn computed twice as one request.
func (e *Engine) Answer(ctx context.Context, id, text, data string) (Turn, []byte, error) {
	return e.on(ctx, id, data, func(t *turn) {
		t.text = strings.TrimSpace(text)
		t.run()
	})
}

// Greet opens a conversation: a new session, the welcome messages, and the session to save.
func (e *Engine) Greet(ctx context.Context, id string) (Turn, []byte, error) {
	return e.on(ctx, id, "", e.welcome)
}

func (e *Engine) on(ctx context.Context, id, data string, body func(*turn)) (Turn, []byte, error) {
	s, err := decodeSession(id, data)
	if err != nil {
		return Turn{}, nil, err
	}
	out, err := e.play(ctx, id, s, body)
	if err != nil {
		return Turn{}, nil, err
	}
	saved, err := json.Marshal(s)
	if err != nil {
		return Turn{}, nil, err
	}
	return out, saved, nil
}
