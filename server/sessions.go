package server

import (
	"crypto/subtle"
	"sync"

	"github.com/relais/relais/conversation"
)

// maxKnownSessions bounds the sessions a process remembers (a few hundred bytes each).
const maxKnownSessions = 50_000

// knownSessions remembers, for each conversation whose last bot turn this process stored, the
// bot's session as saved then and the hash of the conversation's token: enough to answer the
// customer's next message before touching Redis, and to store message and answer in one round
// trip (see answerAhead). It is only a hint: the script that stores the turn checks both.
//
// A conversation whose messages go to several processes (a load balancer without stickiness)
// makes the session here stale: the bot then answers twice (see answerAhead). Such a
// conversation is marked bouncing, and this process answers it on the locked path from then
// on, as if it did not know it.
type knownSessions struct {
	mu sync.Mutex
	m  map[string]knownSession
}

type knownSession struct {
	tokenHash string
	session   []byte
	bouncing  bool // the conversation's turns were also answered elsewhere
}

func newKnownSessions() *knownSessions {
	return &knownSessions{m: map[string]knownSession{}}
}

// get returns the session of conversation id when it is known, not bouncing, and token is
// the conversation's.
func (k *knownSessions) get(id, token string) ([]byte, bool) {
	k.mu.Lock()
	ks, ok := k.m[id]
	k.mu.Unlock()
	if !ok || ks.bouncing || subtle.ConstantTimeCompare([]byte(ks.tokenHash), []byte(conversation.HashToken(token))) != 1 {
		return nil, false
	}
	return ks.session, true
}

// keep remembers session as conversation id's; a bouncing conversation stays so.
func (k *knownSessions) keep(id, token string, session []byte) {
	tokenHash := conversation.HashToken(token)
	k.mu.Lock()
	defer k.mu.Unlock()
	ks, ok := k.m[id]
	if !ok && len(k.m) >= maxKnownSessions {
		for other := range k.m {
			delete(k.m, other)
			break
		}
	}
	k.m[id] = knownSession{tokenHash: tokenHash, session: session, bouncing: ks.bouncing}
}

// bounce marks conversation id as answered by other processes too: get no longer gives it.
func (k *knownSessions) bounce(id string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if ks, ok := k.m[id]; ok {
		ks.bouncing = true
		k.m[id] = ks
	}
}

func (k *knownSessions) forget(id string) {
	k.mu.Lock()
	delete(k.m, id)
	k.mu.Unlock()
}
