package conversation

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/apperr"
)

// A turn is read, then stored in one atomic step: Peek reads the conversation as it stands and
// the data kept with it (the bot's session), the caller computes the answer, and Exchange
// stores the customer's message, the answer and the new data together — only if the
// conversation is still as Peek read it. Else nothing is stored (ErrStale) and the caller
// reads and computes again. Nothing is ever locked: a turn that fails stores nothing, and
// two turns of one conversation at once store one after the other, the second computed on
// what the first stored.

// ErrStale is returned by Exchange when it stored nothing because the conversation changed
// since Peek (another turn was stored, or its owner changed): Peek again.
var ErrStale = errors.New("conversation: changée depuis la lecture du tour")

// State is a conversation as a turn starts from it.
type State struct {
	Owner Owner
	Seq   int64  // of its last event: Exchange stores only while it is still the last
	Data  string // the data under the DataKey given to Peek ("": none)
	// Done says that the idempotency key was already used: Exchange replays its first turn.
	Done bool
}

// Peek reads conversation id for a turn, in one round trip: its owner and last seq, the data
// under dataKey ("" none), whether key was already used. It checks token, that the
// conversation is open and, for a customer message (message true), the rate limit, so that
// no answer is computed for a turn Exchange would refuse.
func (s *Store) Peek(ctx context.Context, id, token, key, dataKey string, message bool) (State, error) {
	if token == "" {
		return State{}, apperr.New(apperr.Unauthorized, "Jeton de conversation manquant.")
	}
	if !ValidID(id) {
		return State{}, errNotFound
	}
	p := s.st.Client.Pipeline()
	meta := p.HMGet(ctx, s.metaKey(id), "token", "owner", "seq")
	var rec *redis.StringCmd
	if key != "" {
		rec = p.HGet(ctx, s.idemKey(id, key), "seq")
	}
	var rate *redis.StringCmd
	if message && s.opts.MessagesPerWindow > 0 {
		rate = p.Get(ctx, s.rateKey(id))
	}
	var data *redis.StringCmd
	if dataKey != "" {
		data = p.Get(ctx, dataKey)
	}
	if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return State{}, unavailable(err)
	}
	return s.state(ctx, id, token, meta.Val(), rec, rate, data)
}

func (s *Store) state(ctx context.Context, id, token string, meta []any, rec, rate, data *redis.StringCmd) (State, error) {
	stored, _ := meta[0].(string)
	if stored == "" {
		return State{}, errNotFound
	}
	if subtle.ConstantTimeCompare([]byte(stored), []byte(HashToken(token))) != 1 {
		return State{}, errForbidden
	}
	owner, _ := meta[1].(string)
	seq, _ := meta[2].(string)
	st := State{Owner: Owner(owner)}
	st.Seq, _ = strconv.ParseInt(seq, 10, 64)
	if rec != nil && rec.Err() == nil {
		st.Done = true
		return st, nil
	}
	if st.Owner == OwnerClosed {
		return State{}, errClosed
	}
	if rate != nil {
		if n, _ := rate.Int(); n >= s.opts.MessagesPerWindow {
			return State{}, s.limited(ctx, id)
		}
	}
	if data != nil {
		st.Data = data.Val()
	}
	return st, nil
}

// limited is the error of a conversation over its rate limit, with the time left.
func (s *Store) limited(ctx context.Context, id string) error {
	left, _ := s.st.Client.PTTL(ctx, s.rateKey(id)).Result()
	return apperr.Limited("Trop de messages dans cette conversation. Patientez un instant.", max(left, 0))
}

var errClosed = apperr.New(apperr.Conflict, "La conversation est terminée.")

// Exchange is one turn to store: the customer's message, what answers it and the data to
// keep, computed on the State that Peek read.
type Exchange struct {
	Token, Key string
	Text       string // the customer's message ("": none, e.g. the bot's welcome)
	Owner      Owner  // the conversation's owner as read
	// Seq is the last seq as read: the turn is stored only while it is still the last (-1:
	// whatever was stored meanwhile, for a message nobody answers).
	Seq    int64
	Answer []Event
	// SetOwner, Field and Value: the owner change and the metadata field the answer carries.
	SetOwner     Owner
	Field, Value string
	// DataKey, Data and DataTTL: the data kept with the conversation (Data nil: keep it).
	// DataKey carries the conversation's hash tag {id}, like the conversation's own keys.
	DataKey string
	Data    []byte
	DataTTL time.Duration
}

// Exchanged is a stored turn.
type Exchanged struct {
	Message Event   // the customer's message as stored (none for a turn without one)
	Answer  []Event // the events that answer it
	// Replayed says that the key had been used: nothing was stored, Message and Answer are its
	// first turn's (the caller compares the texts).
	Replayed bool
}

// Exchange stores x in conversation id in one atomic step, or nothing: ErrStale when the
// conversation changed since Peek read it, ErrFull when the turn does not fit under the cap
// (the conversation then ends), the token, closed and rate errors. A key already used
// replays its first turn.
func (s *Store) Exchange(ctx context.Context, id string, x Exchange) (Exchanged, error) {
	msg, msgJSON, err := s.customerMessage(x.Text)
	if err != nil {
		return Exchanged{}, err
	}
	hasKey := "0"
	if x.Key != "" {
		hasKey = "1"
	}
	var dataTTL int64
	if x.Data != nil {
		dataTTL = x.DataTTL.Milliseconds()
	}
	tag := newTag()
	ending, closing := s.endingEvents()
	answer, args, err := s.encode(x.Answer, []any{HashToken(x.Token), hasKey, string(x.Owner), x.Seq, msgJSON,
		seconds(s.opts.IdempotencyTTL), s.opts.MessagesPerWindow, s.opts.RateWindow.Milliseconds(),
		seconds(s.opts.TTL), s.channel(id), tag, s.maxEvents(), ending, closing,
		string(x.SetOwner), x.Data, dataTTL, x.Field, x.Value})
	if err != nil {
		return Exchanged{}, err
	}
	keys := append([]string{s.metaKey(id), s.streamKey(id), s.idemKey(id, x.Key), s.rateKey(id), x.DataKey}, s.keptKeys(id)...)
	if x.DataKey == "" {
		keys[4] = s.metaKey(id) // (untouched: no data given)
	}
	var stored []Event
	done := s.appending(id)
	defer func() { done(stored) }()
	res, err := s.st.RunScript(ctx, s.opts.Replicas, exchangeScript, keys, args...)
	if err != nil && res == nil {
		return Exchanged{}, unavailable(err)
	}
	out, err2 := s.exchanged(ctx, id, res, msg, answer, tag)
	if err2 != nil {
		return Exchanged{}, err2
	}
	if !out.Replayed {
		stored = append(msg, out.Answer...)
	}
	if err != nil { // stored on the master, not confirmed by the replicas
		return Exchanged{}, unavailable(err)
	}
	return out, nil
}

// customerMessage is the customer's message of a turn and its JSON (none for "").
func (s *Store) customerMessage(text string) ([]Event, string, error) {
	if text == "" {
		return nil, "", nil
	}
	msg := Message(FromCustomer, text, nil)
	msg.At = s.now().UTC()
	data, err := json.Marshal(msg)
	return []Event{msg}, string(data), err
}

// exchanged reads exchangeScript's result.
func (s *Store) exchanged(ctx context.Context, id string, res []any, msg, answer []Event, tag string) (Exchanged, error) {
	status, _ := res[0].(string)
	switch status {
	case "not_found":
		return Exchanged{}, errNotFound
	case "forbidden":
		return Exchanged{}, errForbidden
	case "closed":
		return Exchanged{}, errClosed
	case "stale":
		return Exchanged{}, ErrStale
	case "full":
		return Exchanged{}, ErrFull
	case "limited":
		return Exchanged{}, apperr.Limited("Trop de messages dans cette conversation. Patientez un instant.",
			time.Duration(toInt(res[1]))*time.Millisecond)
	case "done":
		return s.replayed(ctx, id, toInt(res[1]), toInt(res[2]), toInt(res[3]))
	case "ok":
		out := Exchanged{Answer: answer}
		if len(msg) > 0 {
			numbered(msg, toInt(res[1]), tag)
			out.Message = msg[0]
		}
		if len(answer) > 0 {
			numbered(answer, toInt(res[2]), tag)
		}
		return out, nil
	}
	return Exchanged{}, fmt.Errorf("conversation: réponse inattendue du script : %v", res)
}

// replayed reads a used key's first turn: the message at seq and the answer from..to (empty
// when from > to).
func (s *Store) replayed(ctx context.Context, id string, seq, from, to int64) (Exchanged, error) {
	evs, err := s.rangeEvents(ctx, id, seq, max(seq, to), 0)
	if err != nil {
		return Exchanged{}, err
	}
	out := Exchanged{Replayed: true, Answer: []Event{}}
	for _, ev := range evs {
		switch {
		case ev.Seq == seq:
			out.Message = ev
		case ev.Seq >= from && ev.Seq <= to:
			out.Answer = append(out.Answer, ev)
		}
	}
	return out, nil
}
