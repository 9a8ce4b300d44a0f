package relay

import (
	"crypto/subtle"
	"sync"

	"github.com/relais/relais/conversation"
)

// maxStates bounds the conversations whose last turn a process remembers (a few hundred bytes
// each, the bot's session with its seq).
const maxStates = 20_000

// states remembers, per conversation, the state that this process's last stored turn left:
// the next turn starts from it instead of reading it again (conversation.Store.Peek). Nothing
// depends on it being right: Exchange stores only when the conversation is still at that seq
// and owner, and the bot checks before a webhook (dialog.WithCheck); a turn whose memory was
// out of date reads the conversation and is answered again. The conversation's token hash is
// kept with it, so that a request with another token reads (and is refused) before any answer
// is computed.
type states struct {
	mu sync.Mutex
	m  map[string]remembered
}

type remembered struct {
	tokenHash, key string // the conversation's token hash, the key of the turn stored
	st             conversation.State
	// shared marks a conversation whose memory here was found out of date: another process
	// answers it too (a load balancer without stickiness), so its turns here always read.
	shared bool
}

func newStates() *states { return &states{m: map[string]remembered{}} }

// take returns and forgets the state remembered for conversation id, if token is its token
// and key is not the stored turn's (a retry reads, and gets that turn again without asking
// the bot): a second turn of the same conversation at the same time reads its own.
func (s *states) take(id, token, key string) (conversation.State, bool) {
	s.mu.Lock()
	r, ok := s.m[id]
	if ok && !r.shared {
		delete(s.m, id)
	}
	s.mu.Unlock()
	if !ok || r.shared || key != "" && key == r.key || subtle.ConstantTimeCompare([]byte(r.tokenHash), []byte(conversation.HashToken(token))) != 1 {
		return conversation.State{}, false
	}
	return r.st, true
}

// keep remembers st for conversation id of token, left by the turn of key, forgetting an
// arbitrary other conversation when full.
func (s *states) keep(id, token, key string, st conversation.State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m[id].shared {
		return
	}
	if len(s.m) >= maxStates {
		for other := range s.m {
			delete(s.m, other)
			break
		}
	}
	s.m[id] = remembered{tokenHash: conversation.HashToken(token), key: key, st: st}
}

// share marks conversation id as answered by other processes too: its turns here read it.
func (s *states) share(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[id] = remembered{shared: true}
}
