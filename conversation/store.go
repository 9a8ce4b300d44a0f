package conversation

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/store"
)

// Options are the limits of a Store. Zero values take the defaults.
type Options struct {
	TTL               time.Duration // a conversation is forgotten this long after its last event (default 7 days)
	IdempotencyTTL    time.Duration // how long a message's idempotency key is remembered (default 24 h)
	MessagesPerWindow int           // customer messages per conversation per RateWindow; 0: no limit
	RateWindow        time.Duration // default 1 min
	// MaxEvents caps the events of one conversation (default 2,000; < 0: no cap). The write
	// that would pass it ends the conversation instead, with a system message (ErrFull).
	MaxEvents int
	// Replicas, when set, make every write of a conversation wait for replicas (WAIT) before
	// it is acknowledged; a write they do not confirm is refused as unavailable (503).
	Replicas store.Replicas
}

// DefaultMaxEvents is the cap on the events of a conversation: about 1,000 exchanges, and at
// most 2,000 × 2,000 characters.
const DefaultMaxEvents = 2000

// Store keeps conversations in Redis. It is safe for concurrent use.
type Store struct {
	st   *store.Store
	opts Options
	now  func() time.Time
	hub  atomic.Pointer[Hub] // this process's Hub, handed the events appended here
}

// NewStore returns a Store on st.
func NewStore(st *store.Store, opts Options) *Store {
	if opts.TTL <= 0 {
		opts.TTL = 7 * 24 * time.Hour
	}
	if opts.IdempotencyTTL <= 0 {
		opts.IdempotencyTTL = 24 * time.Hour
	}
	if opts.RateWindow <= 0 {
		opts.RateWindow = time.Minute
	}
	if opts.MaxEvents == 0 {
		opts.MaxEvents = DefaultMaxEvents
	}
	return &Store{st: st, opts: opts, now: time.Now}
}

// appending tells this process's readers of conversation id that an append of this process
// is under way; call done with the events it stored (none when it stored nothing or failed):
// they are handed to the readers at once, and the notification of them through Redis does not
// wake the readers meanwhile, which would read the stream for events about to be handed over.
func (s *Store) appending(id string) (done func(stored []Event)) {
	h := s.hub.Load()
	if h == nil {
		return func([]Event) {}
	}
	ch := s.channel(id)
	h.begin(ch)
	return func(stored []Event) { h.end(ch, stored) }
}

// Conversation is what its creator receives: the token is shown once and stored hashed.
type Conversation struct {
	ID    string
	Token string
}

// Create opens a conversation owned by the bot, with no event yet.
func (s *Store) Create(ctx context.Context) (Conversation, error) {
	c := Conversation{ID: randomString(16), Token: randomString(32)}
	meta := s.metaKey(c.ID)
	_, err := s.st.Client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, meta, "token", HashToken(c.Token), "owner", string(OwnerBot), "seq", 0,
			"created", s.now().UTC().Format(time.RFC3339Nano))
		p.Expire(ctx, meta, s.opts.TTL)
		return nil
	})
	if err != nil {
		return Conversation{}, unavailable(err)
	}
	return c, nil
}

// Authorize checks that token opens conversation id and returns its owner.
func (s *Store) Authorize(ctx context.Context, id, token string) (Owner, error) {
	if token == "" {
		return "", apperr.New(apperr.Unauthorized, "Jeton de conversation manquant.")
	}
	if !ValidID(id) {
		return "", errNotFound
	}
	vals, err := s.st.Client.HMGet(ctx, s.metaKey(id), "token", "owner").Result()
	if err != nil {
		return "", unavailable(err)
	}
	stored, _ := vals[0].(string)
	if stored == "" {
		return "", errNotFound
	}
	if subtle.ConstantTimeCompare([]byte(stored), []byte(HashToken(token))) != 1 {
		return "", errForbidden
	}
	owner, _ := vals[1].(string)
	return Owner(owner), nil
}

// Owner returns who answers conversation id.
func (s *Store) Owner(ctx context.Context, id string) (Owner, error) {
	o, err := s.st.Client.HGet(ctx, s.metaKey(id), "owner").Result()
	if errors.Is(err, redis.Nil) {
		return "", errNotFound
	}
	if err != nil {
		return "", unavailable(err)
	}
	return Owner(o), nil
}

// Events returns up to limit events of conversation id after seq, in order.
func (s *Store) Events(ctx context.Context, id string, after int64, limit int) ([]Event, error) {
	return s.rangeEvents(ctx, id, after+1, -1, limit)
}

// Before returns the last limit events of conversation id before seq before (0: its end), in
// order, read backwards from there: a page of the transcript without what comes before it.
func (s *Store) Before(ctx context.Context, id string, before int64, limit int) ([]Event, error) {
	end := "+"
	if before > 0 {
		if before == 1 {
			return nil, nil
		}
		end = strconv.FormatInt(before-1, 10) // every entry of seq before-1, whatever its tag
	}
	msgs, err := s.st.Client.XRevRangeN(ctx, s.streamKey(id), end, "-", int64(limit)).Result()
	if err != nil {
		return nil, unavailable(err)
	}
	return inOrder(msgs)
}

// inOrder decodes the entries of a backward read (XREVRANGE) into events, in order.
func inOrder(msgs []redis.XMessage) ([]Event, error) {
	events := make([]Event, len(msgs))
	for i, m := range msgs {
		ev, err := decodeEntry(m)
		if err != nil {
			return nil, err
		}
		events[len(msgs)-1-i] = ev
	}
	return events, nil
}

// Ends returns the last limit events of each of the conversations ids, in order, read in
// one round trip: ends[i] is ids[i]'s.
func (s *Store) Ends(ctx context.Context, ids []string, limit int) ([][]Event, error) {
	cmds := make([]*redis.XMessageSliceCmd, len(ids))
	_, err := s.st.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = p.XRevRangeN(ctx, s.streamKey(id), "+", "-", int64(limit))
		}
		return nil
	})
	if err != nil {
		return nil, unavailable(err)
	}
	ends := make([][]Event, len(ids))
	for i, cmd := range cmds {
		if ends[i], err = inOrder(cmd.Val()); err != nil {
			return nil, err
		}
	}
	return ends, nil
}

// rangeEvents reads events from..to (to < 0: up to the last one).
func (s *Store) rangeEvents(ctx context.Context, id string, from, to int64, limit int) ([]Event, error) {
	end := "+"
	if to >= 0 {
		end = strconv.FormatInt(to, 10) // every entry of seq to, whatever its tag
	}
	start := strconv.FormatInt(max(from, 1), 10) + "-0"
	var msgs []redis.XMessage
	var err error
	if limit > 0 {
		msgs, err = s.st.Client.XRangeN(ctx, s.streamKey(id), start, end, int64(limit)).Result()
	} else {
		msgs, err = s.st.Client.XRange(ctx, s.streamKey(id), start, end).Result()
	}
	if err != nil {
		return nil, unavailable(err)
	}
	events := make([]Event, 0, len(msgs))
	for _, m := range msgs {
		ev, err := decodeEntry(m)
		if err != nil {
			return nil, err
		}
		events = append(events, ev)
	}
	return events, nil
}

// ValidID reports whether id has the form of a conversation id; anything else is unknown.
func ValidID(id string) bool {
	if len(id) != 22 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// HashToken is how tokens are kept in Redis: whoever reads Redis cannot use them.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// The keys of conversation id share the hash tag {id}.
func (s *Store) metaKey(id string) string    { return s.st.Key("conv", "{"+id+"}") }
func (s *Store) streamKey(id string) string  { return s.st.Key("conv", "{"+id+"}", "events") }
func (s *Store) rateKey(id string) string    { return s.st.Key("conv", "{"+id+"}", "rate") }
func (s *Store) channel(id string) string    { return s.st.Key("conv", "{"+id+"}", "notify") }
func (s *Store) idemKey(id, k string) string { return s.st.Key("conv", "{"+id+"}", "idem", k) }

var (
	errNotFound  = apperr.New(apperr.NotFound, "Conversation introuvable.")
	errForbidden = apperr.New(apperr.Forbidden, "Ce jeton ne donne pas accès à cette conversation.")
)

// unavailable is a failed call to Redis as the customer reads it: store.Unavailable, or a
// write the replicas did not confirm (store.ErrNotReplicated).
func unavailable(err error) error {
	if errors.Is(err, store.ErrNotReplicated) {
		return apperr.Wrap(apperr.Unavailable, "Votre message n'a pas pu être mis en sécurité sur nos serveurs de secours. Réessayez dans un instant.", err)
	}
	return store.Unavailable(err)
}

func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
