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
	Choices []string          `json:"choices,omitempty"` // intents offered as quick replies: a disambiguation, a second request
	Offer   *OfferState       `json:"offer,omitempty"`   // a pending offer of a human agent
	Later   string            `json:"later,omitempty"`   // a second request, offered when the flow ends
	// AnythingElse: the bot answered thanks with « Puis-je faire autre chose pour vous ? ».
	AnythingElse bool `json:"anything_else,omitempty"`
	Misses       int  `json:"misses,omitempty"` // messages not understood in a row
	Turns        int  `json:"turns"`
	// WaitingForAgent is set by a handoff: the conversation is queued for a human agent.
	WaitingForAgent bool `json:"waiting_for_agent,omitempty"`
}

// FlowState is where a conversation stands in a flow.
type FlowState struct {
	Intent string `json:"intent"`
	Step   int    `json:"step"`            // the step waiting for the customer
	Tries  int    `json:"tries,omitempty"` // invalid answers to the current question
	// Clarify holds the two values an ambiguous answer could mean (« jeudi prochain »), while
	// the customer is asked which.
	Clarify []string `json:"clarify,omitempty"`
}

// OfferState is an offer of a human agent waiting for the customer's yes or no.
type OfferState struct {
	Intent  string `json:"intent,omitempty"` // what the customer needed help with, if known
	Summary string `json:"summary"`          // for the agent, when the customer accepts
}

// Sessions stores sessions and serialises the turns of each conversation.
type Sessions interface {
	// Begin takes the conversation's lock, waiting for it, and returns its session (a new
	// one when it has none or it expired). end saves s, when not nil, and releases the lock.
	Begin(ctx context.Context, conversationID string) (s *Session, end func(s *Session) error, err error)
	// Load reads a session without locking, for tests and tools.
	Load(ctx context.Context, conversationID string) (*Session, error)
}

// RedisSessions keeps sessions in Redis as JSON, expiring after TTL of silence. The server does
// not go through Begin: its turn reads the session and saves it with the conversation's events
// in one atomic step, without a lock (Engine.SessionKey, Engine.Answer). Begin, for the callers
// of Engine.Handle (tools, benchmarks), locks with a Redis key, so that two processes never
// run two turns of one conversation at once: two round trips, lock-and-read then
// write-and-unlock.
type RedisSessions struct {
	Store *store.Store
	TTL   time.Duration
}

var _ Sessions = (*RedisSessions)(nil)

// lockTTL bounds how long a dead holder can block a conversation.
const lockTTL = 30 * time.Second

// The lock's scripts (scripts/begin.lua, scripts/end.lua).
var (
	beginScript = redis.NewScript(store.ScriptSource(Scripts, "scripts/begin.lua"))
	endScript   = redis.NewScript(store.ScriptSource(Scripts, "scripts/end.lua"))
)

// keys are the lock and session keys of conversation id. They carry the conversation's hash
// tag {id}, so that the conversation's scripts may write the session too (Engine.SessionKey).
func (r *RedisSessions) keys(id string) (lock, session string) {
	return r.Store.Key("dialog", "lock", "{"+id+"}"), r.Store.Key("dialog", "session", "{"+id+"}")
}

// Begin locks the conversation and reads its session, retrying until ctx ends.
func (r *RedisSessions) Begin(ctx context.Context, id string) (*Session, func(*Session) error, error) {
	lock, session := r.keys(id)
	keys := []string{lock, session}
	token := randomToken()
	for wait := time.Millisecond; ; wait = min(2*wait, 20*time.Millisecond) {
		data, err := beginScript.Run(ctx, r.Store.Client, keys, token, lockTTL.Milliseconds()).Text()
		if err == nil {
			s, err := decodeSession(id, data)
			if err != nil {
				endScript.Run(context.WithoutCancel(ctx), r.Store.Client, keys, token, "", 0)
				return nil, nil, err
			}
			return s, r.end(ctx, keys, token), nil
		}
		if !errors.Is(err, redis.Nil) {
			return nil, nil, err
		}
		select {
		case <-ctx.Done():
			return nil, nil, fmt.Errorf("conversation %s occupée : %w", id, ctx.Err())
		case <-time.After(wait):
		}
	}
}

func (r *RedisSessions) end(ctx context.Context, keys []string, token string) func(*Session) error {
	return func(s *Session) error {
		var data []byte
		if s != nil {
			var err error
			if data, err = json.Marshal(s); err != nil {
				return err
			}
		}
		n, err := endScript.Run(context.WithoutCancel(ctx), r.Store.Client, keys, token, data, r.TTL.Milliseconds()).Int()
		if err == nil && n == 0 {
			return errors.New("verrou de conversation perdu (tour de plus de 30 s) : session non enregistrée")
		}
		return err
	}
}

// Load returns the conversation's session, a new one when it has none or it expired.
func (r *RedisSessions) Load(ctx context.Context, id string) (*Session, error) {
	_, key := r.keys(id)
	data, err := r.Store.Client.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) {
		return &Session{}, nil
	}
	if err != nil {
		return nil, err
	}
	return decodeSession(id, data)
}

func decodeSession(id, data string) (*Session, error) {
	s := &Session{}
	if data == "" {
		return s, nil
	}
	if err := json.Unmarshal([]byte(data), s); err != nil {
		return nil, fmt.Errorf("session %s illisible : %w", id, err)
	}
	return s, nil
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

// Begin takes the conversation's in-process lock and returns a copy of its session.
func (m *MemorySessions) Begin(ctx context.Context, id string) (*Session, func(*Session) error, error) {
	m.mu.Lock()
	l := m.locks[id]
	if l == nil {
		l = &sync.Mutex{}
		m.locks[id] = l
	}
	m.mu.Unlock()
	l.Lock()
	s, err := m.Load(ctx, id)
	if err != nil {
		l.Unlock()
		return nil, nil, err
	}
	return s, func(s *Session) error {
		defer l.Unlock()
		if s == nil {
			return nil
		}
		return m.save(id, s)
	}, nil
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

func (m *MemorySessions) save(id string, s *Session) error {
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
