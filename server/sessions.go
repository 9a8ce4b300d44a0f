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
// trip (see answerAhead). It is only a hint: the script that stores the turn checks both, and
// a turn stored by another process makes the next one here take the locked path once.
type knownSessions struct {
	mu sync.Mutex
	m  map[string]knownSession
}

type knownSession struct {
	tokenHash string
	session   []byte
}

func newKnownSessions() *knownSessions {
	return &knownSessions{m: map[string]knownSession{}}
}

// get returns the session of conversation id when it is known and token is the
// conversation's.
func (k *knownSessions) get(id, token string) ([]byte, bool) {
	k.mu.Lock()
	ks, ok := k.m[id]
	k.mu.Unlock()
	if !ok || subtle.ConstantTimeCompare([]byte(ks.tokenHash), []byte(conversation.HashToken(token))) != 1 {
		return nil, false
	}
	return ks.session, true
}

// put remembers session as conversation id's, dropping an arbitrary other when full.
func (k *knownSessions) put(id, token string, session []byte) {
	ks := knownSession{tokenHash: conversation.HashToken(token), session: session}
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.m[id]; !ok && len(k.m) >= maxKnownSessions {
		for other := range k.m {
			delete(k.m, other)
			break
		}
	}
	k.m[id] = ks
}

func (k *knownSessions) forget(id string) {
	k.mu.Lock()
	delete(k.m, id)
	k.mu.Unlock()
}
