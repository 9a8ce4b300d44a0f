package dialog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/store"
)

// Session is what the bot remembers of one conversation between two messages.
type Session struct {
	Slots   map[string]string `json:"slots,omitempty"`
	Webhook map[string]any    `json:"webhook,omitempty"` // the last webhook's answer
	Flow    *FlowState        `json:"flow,omitempty"`    // the flow in progress, if any
	Choices []string          `json:"choices,omitempty"` // the two intents of a pending disambiguation
	Misses  int               `json:"misses,omitempty"`  // messages not understood in a row
	Turns   int               `json:"turns"`
	// WaitingForAgent is set by a handoff: the conversation is queued for a human agent.
	WaitingForAgent bool `json:"waiting_for_agent,omitempty"`
}

// FlowState is where a conversation stands in a flow.
type FlowState struct {
	Intent string `json:"intent"`
	Step   int    `json:"step"`            // the step waiting for the customer
	Tries  int    `json:"tries,omitempty"` // invalid answers to the current question
}

// Sessions stores sessions and serialises the turns of each conversation.
type Sessions interface {
	// Lock takes the conversation's lock, waiting for it; the returned func releases it.
	Lock(ctx context.Context, conversationID string) (unlock func(), err error)
	Load(ctx context.Context, conversationID string) (*Session, error)
	Save(ctx context.Context, conversationID string, s *Session) error
}

// RedisSessions keeps sessions in Redis as JSON, expiring after TTL of silence. The lock is a
// Redis key, so two server instances never run two turns of one conversation at once.
type RedisSessions struct {
	Store *store.Store
	TTL   time.Duration
}

var _ Sessions = (*RedisSessions)(nil)

// Lock takes the conversation's lock, retrying until ctx ends. The lock expires by itself
// after 30 s, should its holder die mid-turn.
func (r *RedisSessions) Lock(ctx context.Context, id string) (func(), error) {
	key := r.Store.Key("dialog", "lock", id)
	token := randomToken()
	for wait := time.Millisecond; ; wait = min(2*wait, 20*time.Millisecond) {
		ok, err := r.Store.Client.SetNX(ctx, key, token, 30*time.Second).Result()
		if err != nil {
			return nil, err
		}
		if ok {
			return func() { unlockScript.Run(context.WithoutCancel(ctx), r.Store.Client, []string{key}, token) }, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("conversation %s occupée : %w", id, ctx.Err())
		case <-time.After(wait):
		}
	}
}

var unlockScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0`)

// Load returns the conversation's session, a new one when it has none or it expired.
func (r *RedisSessions) Load(ctx context.Context, id string) (*Session, error) {
	data, err := r.Store.Client.Get(ctx, r.Store.Key("dialog", "session", id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return &Session{}, nil
	}
	if err != nil {
		return nil, err
	}
	var s Session
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("session %s illisible : %w", id, err)
	}
	return &s, nil
}

// Save writes the session and restarts its expiry.
func (r *RedisSessions) Save(ctx context.Context, id string, s *Session) error {
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return r.Store.Client.Set(ctx, r.Store.Key("dialog", "session", id), data, r.TTL).Err()
}

// MemorySessions keeps sessions in memory, for `relais chat` and `relais dialog test`.
type MemorySessions struct {
	mu       sync.Mutex
	sessions map[string][]byte
	locks    map[string]*sync.Mutex
}

var _ Sessions = (*MemorySessions)(nil)

// NewMemorySessions returns an empty in-memory session store.
func NewMemorySessions() *MemorySessions {
	return &MemorySessions{sessions: map[string][]byte{}, locks: map[string]*sync.Mutex{}}
}

// Lock takes the conversation's in-process lock.
func (m *MemorySessions) Lock(_ context.Context, id string) (func(), error) {
	m.mu.Lock()
	l := m.locks[id]
	if l == nil {
		l = &sync.Mutex{}
		m.locks[id] = l
	}
	m.mu.Unlock()
	l.Lock()
	return l.Unlock, nil
}

// Load returns a copy of the stored session, or a new one.
func (m *MemorySessions) Load(_ context.Context, id string) (*Session, error) {
	m.mu.Lock()
	data := m.sessions[id]
	m.mu.Unlock()
	s := &Session{}
	if data != nil {
		if err := json.Unmarshal(data, s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Save stores a copy of the session.
func (m *MemorySessions) Save(_ context.Context, id string, s *Session) error {
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	m.mu.Lock()
	m.sessions[id] = data
	m.mu.Unlock()
	return nil
}

func randomToken() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}
