package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/apperr"
)

// ErrOwnerChanged is returned by Append when the conversation no longer has the required
// owner (an agent took it over while the bot was answering, or it was closed).
var ErrOwnerChanged = apperr.New(apperr.Conflict, "La conversation a changé de main entre-temps.")

// Posted is what storing a customer message gave.
type Posted struct {
	Message     Event   // the customer's message as stored, Seq set
	Owner       Owner   // who owned the conversation when the message was stored
	NeedsAnswer bool    // the bot must answer, then the caller calls Append with the key
	Replayed    bool    // the key was already answered: nothing was stored, Answer is that answer
	Answer      []Event // with Replayed
	// Held says that Post took the Lock it was given (only when the bot must answer, and the
	// lock was free): the caller must release it with Append. Data is what the lock guards.
	Held bool
	Data string
}

// Post stores the customer's text in conversation id once per key (a retry with the same key
// stores nothing and gets the first answer back), after checking token and the rate limit.
// key "" means no idempotency. With a lock, it also tries to take it when the bot must answer
// (see Posted.Held).
func (s *Store) Post(ctx context.Context, id, token, text, key string, lock *Lock) (Posted, error) {
	if token == "" {
		return Posted{}, apperr.New(apperr.Unauthorized, "Jeton de conversation manquant.")
	}
	if !ValidID(id) {
		return Posted{}, errNotFound
	}
	msg := Message(FromCustomer, text, nil)
	msg.At = s.now().UTC()
	data, err := json.Marshal(msg)
	if err != nil {
		return Posted{}, err
	}
	hasKey := "0"
	if key != "" {
		hasKey = "1"
	}
	keys := lockKeys([]string{s.metaKey(id), s.streamKey(id), s.idemKey(id, key), s.rateKey(id)}, lock)
	lockToken, lockTTL := lockArgs(lock)
	var stored []Event
	done := s.appending(id)
	defer func() { done(stored) }()
	tag := newTag()
	ending, closing := s.endingEvents()
	res, err := s.runPost(ctx, keys, HashToken(token), data, hasKey,
		s.now().UnixMilli(), s.opts.Lease.Milliseconds(), seconds(s.opts.IdempotencyTTL),
		s.opts.MessagesPerWindow, s.opts.RateWindow.Milliseconds(), seconds(s.opts.TTL),
		s.channel(id), lockToken, lockTTL, tag, s.maxEvents(), ending, closing)
	if err != nil {
		return Posted{}, unavailable(err)
	}
	if res[0] == "new" {
		msg.ID = entryID(toInt(res[1]), tag)
	}
	p, err := s.posted(ctx, id, key, msg, res)
	if err == nil && !p.Replayed && len(res) > 3 {
		p.Held, p.Data = true, res[3].(string)
	}
	if err == nil && res[0] == "new" {
		stored = []Event{p.Message}
	}
	return p, err
}

// runPost runs postScript and, with Options.Replicas, waits for the replicas unless the bot
// is to answer: the answer's Append waits then, for the message and the answer together
// (replication follows one offset: replicas that have the answer have the message).
func (s *Store) runPost(ctx context.Context, keys []string, args ...any) ([]any, error) {
	r := s.opts.Replicas
	if r.MinReplicas <= 0 {
		return postScript.Run(ctx, s.st.Client, keys, args...).Slice()
	}
	conn, err := s.st.Conn(ctx, keys[0])
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	res, err := postScript.Run(ctx, conn, keys, args...).Slice()
	if err != nil {
		return nil, err
	}
	switch res[0] {
	case "new", "retake":
		if res[2] == string(OwnerBot) {
			return res, nil
		}
	case "done", "full":
	default:
		return res, nil
	}
	// Not confirmed: the message may stay on the master; its record is complete (no answer
	// is due), so a retry with its key replays it, and waits again.
	if err := r.Wait(ctx, conn); err != nil {
		return nil, err
	}
	return res, nil
}

func (s *Store) posted(ctx context.Context, id, key string, msg Event, res []any) (Posted, error) {
	status, _ := res[0].(string)
	switch status {
	case "not_found":
		return Posted{}, errNotFound
	case "forbidden":
		return Posted{}, errForbidden
	case "closed":
		return Posted{}, apperr.New(apperr.Conflict, "La conversation est terminée.")
	case "full":
		return Posted{}, ErrFull
	case "limited":
		return Posted{}, apperr.Limited("Trop de messages dans cette conversation. Patientez un instant.",
			time.Duration(toInt(res[1]))*time.Millisecond)
	case "busy":
		e := apperr.New(apperr.Conflict, "Ce message est en cours de traitement. Réessayez dans un instant.")
		e.RetryAfter = time.Duration(toInt(res[2])) * time.Millisecond
		return Posted{}, e
	case "new":
		msg.Seq = toInt(res[1])
		owner := Owner(res[2].(string))
		return Posted{Message: msg, Owner: owner, NeedsAnswer: owner == OwnerBot}, nil
	case "retake":
		return s.retaken(ctx, id, key, toInt(res[1]), Owner(res[2].(string)))
	case "done":
		return s.replayed(ctx, id, toInt(res[1]), toInt(res[2]), toInt(res[3]))
	}
	return Posted{}, fmt.Errorf("conversation: réponse inattendue du script : %v", res)
}

// retaken: the first attempt stored the message but never answered (its process died, or
// the bot failed): this retry answers it, unless the bot no longer owns the conversation.
func (s *Store) retaken(ctx context.Context, id, key string, seq int64, owner Owner) (Posted, error) {
	evs, err := s.rangeEvents(ctx, id, seq, seq, 1)
	if err != nil {
		return Posted{}, err
	}
	if len(evs) == 0 {
		return Posted{}, errNotFound
	}
	p := Posted{Message: evs[0], Owner: owner, NeedsAnswer: owner == OwnerBot}
	if !p.NeedsAnswer { // (no lock was taken: the script takes it only for the bot)
		_, err = s.Append(ctx, id, nil, AppendOptions{IdempotencyKey: key})
	}
	return p, err
}

// Release lets a retry of the message with key answer it at once, after the bot failed.
func (s *Store) Release(ctx context.Context, id, key string) error {
	if key == "" {
		return nil
	}
	if err := s.st.Client.HSet(ctx, s.idemKey(id, key), "lease", 0).Err(); err != nil {
		return unavailable(err)
	}
	return nil
}

// replayed reads the message at seq and the answer from..to (empty when from > to).
func (s *Store) replayed(ctx context.Context, id string, seq, from, to int64) (Posted, error) {
	last := max(seq, to)
	evs, err := s.rangeEvents(ctx, id, seq, last, 0)
	if err != nil {
		return Posted{}, err
	}
	p := Posted{Replayed: true, Answer: []Event{}}
	for _, ev := range evs {
		switch {
		case ev.Seq == seq:
			p.Message = ev
		case ev.Seq >= from && ev.Seq <= to:
			p.Answer = append(p.Answer, ev)
		}
	}
	return p, nil
}

// AppendOptions make an Append conditional or give it side effects, all atomic with it.
type AppendOptions struct {
	IfOwner        Owner  // append only while the conversation has this owner ("": any)
	SetOwner       Owner  // then give it to this owner ("": keep)
	Field, Value   string // then set this metadata field ("": none), e.g. the handoff
	IdempotencyKey string // the customer message these events answer (see Post)
	// Release, when set, releases a Lock Post took, first and whatever else happens.
	Release *Release
}

// ErrLockLost is returned, with the events stored all the same, when Append was to release a
// lock that had expired or been taken by someone else: its data was not saved.
var ErrLockLost = errors.New("conversation: verrou perdu (expiré avant la fin du tour) : données non enregistrées")

// Append adds events to conversation id in one atomic step and returns them with Seq (and At,
// when it was zero) set. With IfOwner and another owner, it appends nothing, records an empty
// answer for IdempotencyKey and returns ErrOwnerChanged.
func (s *Store) Append(ctx context.Context, id string, events []Event, o AppendOptions) ([]Event, error) {
	hasKey := "0"
	if o.IdempotencyKey != "" {
		hasKey = "1"
	}
	args := make([]any, 0, 10+len(events))
	args = append(args, string(o.IfOwner), string(o.SetOwner), hasKey, seconds(s.opts.TTL),
		s.channel(id), o.Field, o.Value)
	args = appendRelease(args, o.Release)
	tag := newTag()
	ending, closing := s.endingEvents()
	args = append(args, tag, s.maxEvents(), ending, closing)
	now := s.now().UTC()
	out := make([]Event, len(events))
	for i, ev := range events {
		if ev.At.IsZero() {
			ev.At = now
		}
		ev.Seq, ev.ID = 0, ""
		data, err := json.Marshal(ev)
		if err != nil {
			return nil, err
		}
		out[i] = ev
		args = append(args, data)
	}
	keys := []string{s.metaKey(id), s.streamKey(id), s.idemKey(id, o.IdempotencyKey)}
	if o.Release != nil {
		keys = lockKeys(keys, &o.Release.Lock)
	}
	var stored []Event
	done := s.appending(id)
	defer func() { done(stored) }()
	res, err := s.st.RunScript(ctx, s.opts.Replicas, appendScript, keys, args...)
	if err != nil && res == nil {
		return nil, unavailable(err)
	}
	switch res[0] {
	case "not_found":
		return nil, errNotFound
	case "owner":
		if toInt(res[2]) == 1 {
			return nil, errors.Join(ErrOwnerChanged, ErrLockLost)
		}
		return nil, ErrOwnerChanged
	case "full":
		return nil, ErrFull
	}
	first := toInt(res[1])
	for i := range out {
		out[i].Seq = first + int64(i)
		out[i].ID = entryID(out[i].Seq, tag)
	}
	stored = out
	if err != nil { // stored on the master, not confirmed by the replicas
		return nil, unavailable(err)
	}
	if toInt(res[4]) == 1 {
		return out, ErrLockLost
	}
	return out, nil
}

// appendRelease adds the lock arguments of appendScript: token, data and its TTL.
func appendRelease(args []any, r *Release) []any {
	if r == nil {
		return append(args, "", "", 0)
	}
	return append(args, r.Token, r.Data, r.DataTTL.Milliseconds())
}

func decodeEntry(m redis.XMessage) (Event, error) {
	var ev Event
	n, _, _ := strings.Cut(m.ID, "-")
	seq, err := strconv.ParseInt(n, 10, 64)
	if err != nil {
		return ev, fmt.Errorf("conversation: identifiant d'entrée %q invalide", m.ID)
	}
	data, _ := m.Values["e"].(string)
	if err := json.Unmarshal([]byte(data), &ev); err != nil {
		return ev, fmt.Errorf("conversation: événement %d illisible : %w", seq, err)
	}
	ev.Seq, ev.ID = seq, m.ID
	return ev, nil
}

func toInt(v any) int64 {
	n, _ := v.(int64)
	return n
}

func seconds(d time.Duration) int64 { return max(int64(d/time.Second), 1) }
