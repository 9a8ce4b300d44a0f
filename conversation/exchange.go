package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrStale is returned by Exchange when it stored nothing because what the answer was
// computed from no longer holds: the caller takes the locked path (Post, then Append).
var ErrStale = errors.New("conversation: échange périmé, rien n'est enregistré")

// StaleData is the ErrStale of an exchange whose only fault was the data under the lock: it
// changed (another process's turn). Data is what it holds now: an answer computed again from
// it may be exchanged at once.
type StaleData struct{ Data []byte }

func (e *StaleData) Error() string        { return ErrStale.Error() + " (données changées)" }
func (e *StaleData) Is(target error) bool { return target == ErrStale }

// Exchange is a customer message and the bot's answer, computed ahead from a copy of the
// data under the conversation's Lock (the bot's session), to store together in one round
// trip — only if nothing changed meanwhile (see Store.Exchange).
type Exchange struct {
	Token  string // the conversation's token, as the customer gave it
	Key    string // the message's idempotency key ("": none)
	Text   string // the customer's message
	Answer []Event
	// SetOwner, Field and Value are the owner change and metadata the answer carries, as in
	// AppendOptions.
	SetOwner     Owner
	Field, Value string
	Lock         Lock   // the lock guarding the data (its Token is not used: it must be free)
	Old, New     []byte // the data the answer was computed from, and the data to keep
	DataTTL      time.Duration
}

// exchangeScript stores a customer message and the bot's answer to it at once, or nothing at
// all unless: the token matches, the bot owns the conversation, the idempotency key was never
// seen, the lock is free, its data is still what the answer was computed from ('data' and the
// data as it is now, when only that differs), and the rate limit lets the message in ('stale'
// for the others: the locked path decides them, and Post tells why). KEYS: meta, stream,
// idempotency record, rate counter, lock, lock data. ARGV: token hash, "1" when there is an
// idempotency key, record TTL (s), rate limit (0: none), rate window (ms), conversation TTL
// (s), channel, old data, new data, its TTL (ms), new owner ("" keep), metadata field (""
// none), its value, entry tag, cap of events (0: none), then one JSON per event (the
// customer's message first). An exchange that does not fit under the cap is 'stale': the
// locked path ends the conversation.
var exchangeScript = redis.NewScript(`
local meta = redis.call('HMGET', KEYS[1], 'token', 'owner')
if meta[1] ~= ARGV[1] or meta[2] ~= 'bot' then return {'stale'} end
if ARGV[2] == '1' and redis.call('EXISTS', KEYS[3]) == 1 then return {'stale'} end
if redis.call('EXISTS', KEYS[5]) == 1 then return {'stale'} end
local data = redis.call('GET', KEYS[6]) or ''
if data ~= ARGV[8] then return {'data', data} end
local limit = tonumber(ARGV[4])
if limit > 0 then
  if tonumber(redis.call('GET', KEYS[4]) or '0') >= limit then return {'stale'} end
  if redis.call('INCR', KEYS[4]) == 1 then redis.call('PEXPIRE', KEYS[4], ARGV[5]) end
end
local n = #ARGV - 15
local cap = tonumber(ARGV[15])
if cap > 0 and tonumber(redis.call('HGET', KEYS[1], 'seq') or '0') + n > cap - 2 then return {'stale'} end
local last = redis.call('HINCRBY', KEYS[1], 'seq', n)
local first = last - n + 1
for i = 1, n do
  redis.call('XADD', KEYS[2], (first + i - 1) .. '-' .. ARGV[14], 'e', ARGV[15 + i])
end
if ARGV[2] == '1' then
  redis.call('HSET', KEYS[3], 'seq', first, 'from', first + 1, 'to', last)
  redis.call('EXPIRE', KEYS[3], ARGV[3])
end
redis.call('SET', KEYS[6], ARGV[9], 'PX', ARGV[10])
if ARGV[11] ~= '' then redis.call('HSET', KEYS[1], 'owner', ARGV[11]) end
if ARGV[12] ~= '' then redis.call('HSET', KEYS[1], ARGV[12], ARGV[13]) end
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('EXPIRE', KEYS[2], ARGV[6])
redis.call('PUBLISH', ARGV[7], last)
return {'ok', first}
`)

// Exchange stores x's customer message and its answer in conversation id in one atomic step,
// as Post then Append with the lock would have, and returns them with Seq set: the message,
// then the answer. It returns ErrStale, having stored nothing, whenever the locked path must
// decide instead (wrong token, unknown conversation, another owner, a retried key, the lock
// taken, the rate exceeded), or a *StaleData when only the data changed.
func (s *Store) Exchange(ctx context.Context, id string, x Exchange) (_ Event, _ []Event, err error) {
	if x.Token == "" || !ValidID(id) {
		return Event{}, nil, ErrStale
	}
	var stored []Event
	done := s.appending(id)
	defer func() { done(stored) }()
	now := s.now().UTC()
	events := make([]Event, 0, 1+len(x.Answer))
	msg := Message(FromCustomer, x.Text, nil)
	msg.At = now
	events = append(events, msg)
	for _, ev := range x.Answer {
		if ev.At.IsZero() {
			ev.At = now
		}
		ev.Seq, ev.ID = 0, ""
		events = append(events, ev)
	}
	args, err := s.exchangeArgs(id, x, events)
	if err != nil {
		return Event{}, nil, err
	}
	keys := []string{s.metaKey(id), s.streamKey(id), s.idemKey(id, x.Key), s.rateKey(id), x.Lock.Key, x.Lock.DataKey}
	tag := newTag()
	args = slices.Insert(args, 13, any(tag), any(s.maxEvents()))
	res, err := s.st.RunScript(ctx, s.opts.Replicas, exchangeScript, keys, args...)
	if err != nil && res == nil {
		return Event{}, nil, unavailable(err)
	}
	switch res[0] {
	case "data":
		data, _ := res[1].(string)
		return Event{}, nil, &StaleData{Data: []byte(data)}
	case "ok":
	default:
		return Event{}, nil, ErrStale
	}
	first := toInt(res[1])
	for i := range events {
		events[i].Seq = first + int64(i)
		events[i].ID = entryID(events[i].Seq, tag)
	}
	stored = events
	if err != nil { // stored on the master, not confirmed by the replicas
		return Event{}, nil, unavailable(err)
	}
	return events[0], events[1:], nil
}

func (s *Store) exchangeArgs(id string, x Exchange, events []Event) ([]any, error) {
	hasKey := "0"
	if x.Key != "" {
		hasKey = "1"
	}
	args := make([]any, 0, 13+len(events))
	args = append(args, HashToken(x.Token), hasKey, seconds(s.opts.IdempotencyTTL),
		s.opts.MessagesPerWindow, s.opts.RateWindow.Milliseconds(), seconds(s.opts.TTL), s.channel(id),
		x.Old, x.New, x.DataTTL.Milliseconds(), string(x.SetOwner), x.Field, x.Value)
	for _, ev := range events {
		data, err := json.Marshal(ev)
		if err != nil {
			return nil, err
		}
		args = append(args, data)
	}
	return args, nil
}
