package desk

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/store"
)

// Desk is the desk's records in Redis. It holds no state of its own: any number of Desks, in
// one process or many, on the same Redis act as one. It is safe for concurrent use.
type Desk struct {
	st       *store.Store
	prefix   string // "<store prefix>{desk}:", the home of what belongs to no person
	now      func() time.Time
	indexTTL time.Duration
	replicas store.Replicas // every write waits for them (WithReplicas)
}

// DefaultIndexTTL is how long the indexes from a task or a conversation to its interaction
// keep an entry after its last change: a conversation's default lifetime after its last event.
const DefaultIndexTTL = 7 * 24 * time.Hour

// New returns the Desk on st; now is the clock (nil: time.Now).
func New(st *store.Store, now func() time.Time) *Desk {
	if now == nil {
		now = time.Now
	}
	return &Desk{st: st, prefix: st.Key("{desk}") + ":", now: now, indexTTL: DefaultIndexTTL}
}

// WithIndexTTL makes the entries of the task and conversation indexes last ttl after their
// interaction's last change (the conversations' lifetime): they go with what they point to.
func (d *Desk) WithIndexTTL(ttl time.Duration) *Desk {
	if ttl > 0 {
		d.indexTTL = ttl
	}
	return d
}

// indexEnd is when index entries written now end, in unix seconds.
func (d *Desk) indexEnd() int64 { return d.now().Add(d.indexTTL).Unix() }

// reply is what a desk script answered.
type reply struct {
	status string
	detail string
	recs   []map[string]string // the records, flat hashes read back; empty when absent
}

// WithReplicas makes every desk write count only once r.MinReplicas replicas have it (see
// store.Replicas): a record saved, then lost by a failover, would be a silent overwrite.
func (d *Desk) WithReplicas(r store.Replicas) *Desk {
	d.replicas = r
	return d
}

// write runs fn, writes to key (or to keys of its slot), on the master holding key and, with
// replicas required (WithReplicas), waits until they have them: WAIT counts the writes of one
// connection, so every desk write outside run goes through here.
func (d *Desk) write(ctx context.Context, key string, fn func(redis.Cmdable) error) error {
	if d.replicas.MinReplicas <= 0 {
		if err := fn(d.st.Client); err != nil {
			return unavailable(err)
		}
		return nil
	}
	conn, err := d.st.Conn(ctx, key)
	if err != nil {
		return unavailable(err)
	}
	defer conn.Close()
	if err := fn(conn); err != nil {
		return unavailable(err)
	}
	if err := d.replicas.Wait(ctx, conn); err != nil {
		return unavailable(err)
	}
	return nil
}

// del deletes key through write; it returns how many keys went (0 or 1).
func (d *Desk) del(ctx context.Context, key string) (int64, error) {
	var n int64
	err := d.write(ctx, key, func(c redis.Cmdable) (err error) {
		n, err = c.Del(ctx, key).Result()
		return err
	})
	return n, err
}

// run executes a desk script as agent by ("" for the system) in home (KEYS[1] its customer
// record, then keys, all in the home's slot), with args after the common ones (see
// scripts/prelude.lua), and waits for the replicas.
func (d *Desk) run(ctx context.Context, s *redis.Script, by, home string, keys []string, args ...any) (reply, error) {
	now := d.now().UTC().Format(time.RFC3339Nano)
	all := append([]any{now, by}, args...)
	v, err := d.st.RunScript(ctx, d.replicas, s, append([]string{d.hkey(home, "customer")}, keys...), all...)
	if err != nil {
		return reply{}, unavailable(err)
	}
	r := reply{status: str(v[0])}
	if len(v) > 1 {
		r.detail = str(v[1])
	}
	for _, x := range v[min(2, len(v)):] {
		r.recs = append(r.recs, pairs(x))
	}
	return r, nil
}

// rec is the i-th record of a reply, or an empty hash.
func (r reply) rec(i int) map[string]string {
	if i < len(r.recs) {
		return r.recs[i]
	}
	return map[string]string{}
}

// StaleError refuses a write made with a version that is no longer the record's: another
// agent changed it meanwhile. Current is the record as it is now (a Customer, a Request or
// an Activity), for the desk to show; nothing was written.
type StaleError struct {
	Current any
	Version int64
}

// Error is for logs.
func (e *StaleError) Error() string {
	return "desk: version périmée, la fiche est en version " + strconv.FormatInt(e.Version, 10)
}

// Unwrap gives the conflict people read.
func (e *StaleError) Unwrap() error { return errStale }

var errStale = apperr.New(apperr.Conflict, "Modifié par un autre agent.")

// DuplicateError refuses a customer whose e-mail or account number another customer has.
type DuplicateError struct {
	Field      string // email or account_number
	ExistingID string // the customer who has it
}

// Error is for logs.
func (e *DuplicateError) Error() string {
	return "desk: " + e.Field + " déjà utilisé par " + e.ExistingID
}

// Unwrap gives the French message, by field.
func (e *DuplicateError) Unwrap() error {
	msg := "Un autre client a déjà ce numéro de compte."
	if e.Field == "email" {
		msg = "Un autre client a déjà cette adresse e-mail."
	}
	return &apperr.Error{Code: apperr.Duplicate, Message: msg, Fields: map[string]string{e.Field: msg}}
}

// Errors people read, by script status.
var (
	ErrCustomerNotFound = apperr.New(apperr.NotFound, "Client introuvable.")
	ErrRequestNotFound  = apperr.New(apperr.NotFound, "Demande introuvable.")
	ErrActivityNotFound = apperr.New(apperr.NotFound, "Activité introuvable.")
	ErrNoInteraction    = apperr.New(apperr.NotFound, "Aucune activité n'est enregistrée pour cette interaction.")
	ErrDuplicateTag     = apperr.New(apperr.DuplicateTag, "Ce tag existe déjà sur cette activité.")
	ErrTagNotFound      = apperr.New(apperr.NotFound, "Ce tag n'est pas sur cette activité.")
	ErrMessageNotFound  = apperr.New(apperr.NotFound, "Message introuvable.")
	ErrLinkedElsewhere  = apperr.New(apperr.AlreadyLinked, "Cette interaction est déjà liée à un autre client.")
	errTooManyTags      = apperr.InvalidFields(map[string]string{"tag": fmt.Sprintf("%d tags au plus sur une activité.", MaxTags)})
)

// errMoved is a write that met a record being moved to a customer's home (see Link): the
// caller finishes the move and tries again.
var errMoved = errors.New("desk: fiche en cours de déplacement")

// refusal turns a script status other than ok into an error; notFound is the record's own.
func (r reply) refusal(notFound error, current func(map[string]string) any) error {
	switch r.status {
	case "ok", "exists":
		return nil
	case "not_found":
		return notFound
	case "stale":
		v, _ := strconv.ParseInt(r.detail, 10, 64)
		return &StaleError{Current: current(r.rec(0)), Version: v}
	case "duplicate":
		field, id, _ := strings.Cut(r.detail, ":")
		return &DuplicateError{Field: field, ExistingID: id}
	case "customer_not_found":
		return ErrCustomerNotFound
	case "no_interaction":
		return ErrNoInteraction
	case "duplicate_tag":
		return ErrDuplicateTag
	case "tag_not_found":
		return ErrTagNotFound
	case "too_many_tags":
		return errTooManyTags
	case "linked_other":
		return ErrLinkedElsewhere
	case "no_message":
		return ErrMessageNotFound
	case "moved":
		return errMoved
	}
	return fmt.Errorf("desk: statut de script inconnu %q", r.status)
}

// interaction reads a reply made by the prelude's interaction().
func (r reply) interaction() Interaction {
	in := Interaction{Request: requestFromHash(r.rec(0)), Activity: activityFromHash(r.rec(1))}
	if c := r.rec(2); len(c) > 0 {
		cu := customerFromHash(c)
		in.Customer = &cu
	}
	return in
}

// hash reads one record with HGETALL; an absent record is notFound.
func (d *Desk) hash(ctx context.Context, key string, notFound error) (map[string]string, error) {
	h, err := d.st.Client.HGetAll(ctx, key).Result()
	if err != nil {
		return nil, unavailable(err)
	}
	if len(h) == 0 {
		return nil, notFound
	}
	return h, nil
}

func (d *Desk) key(parts ...string) string { return d.prefix + strings.Join(parts, ":") }

// unavailable is a failed call to Redis as people read it (store.Unavailable).
func unavailable(err error) error { return store.Unavailable(err) }

// pairs turns a flat [field, value, ...] reply into a map.
func pairs(v any) map[string]string {
	list, _ := v.([]any)
	m := make(map[string]string, len(list)/2)
	for i := 0; i+1 < len(list); i += 2 {
		m[str(list[i])] = str(list[i+1])
	}
	return m
}

func str(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	}
	return ""
}

func newID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// validID accepts the ids this package makes (and nothing that could reach another key).
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
