package handoff

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/store"
)

// DefaultOfferTimeout is how long an agent has to accept an offer, unless configured.
const DefaultOfferTimeout = 15 * time.Second

// Options are the router's delays and limits. Zero values take the defaults.
type Options struct {
	OfferTimeout      time.Duration    // how long an agent has to accept an offer (15 s; RELAIS_OFFER_TIMEOUT)
	DropGrace         time.Duration    // how long an agent without a socket keeps their conversations (60 s)
	SocketLease       time.Duration    // a socket not renewed by Connect for this long counts as lost (45 s)
	DefaultHandleTime time.Duration    // handling time assumed for estimates before any was measured (5 min)
	TaskTTL           time.Duration    // how long a closed or cancelled task stays readable (24 h)
	ReopenWindow      time.Duration    // how long after a close its agent may reopen it (5 min)
	NoticeMaxLen      int64            // approximate length of the notice stream (10,000)
	Now               func() time.Time // the clock (time.Now)
	// Replicas: every routing write counts once they have it (RELAIS_REDIS_MIN_REPLICAS), so
	// that a failover does not undo an offer, a claim or a close that was reported done.
	Replicas store.Replicas
}

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.OfferTimeout, DefaultOfferTimeout)
	def(&o.DropGrace, 60*time.Second)
	def(&o.SocketLease, 45*time.Second)
	def(&o.DefaultHandleTime, 5*time.Minute)
	def(&o.TaskTTL, 24*time.Hour)
	def(&o.ReopenWindow, 5*time.Minute)
	if o.NoticeMaxLen <= 0 {
		o.NoticeMaxLen = 10000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Router is the routing queue in Redis. It holds no state of its own: any number of Routers,
// in one process or many, on the same Redis act as one. It is safe for concurrent use.
type Router struct {
	st     *store.Store
	opts   Options
	prefix string // "<store prefix>{handoff}:"
}

// NewRouter returns a Router on st.
func NewRouter(st *store.Store, opts Options) *Router {
	opts.defaults()
	return &Router{st: st, opts: opts, prefix: keyPrefix(st)}
}

// keyPrefix is the start of every handoff key; {handoff} is the hash tag they share.
func keyPrefix(st *store.Store) string { return st.Key("{handoff}") + ":" }

// result is what a routing script answered.
type result struct {
	status  string
	detail  string
	task    map[string]string // empty when the script returned no task
	notices []Notice
}

// run executes a routing script at the clock's now on the shared keys then keys, with args
// after the common ones (see scripts/prelude.lua).
func (r *Router) run(ctx context.Context, s *redis.Script, keys []string, args ...any) (result, error) {
	now := r.opts.Now()
	all := append([]any{
		now.UnixMilli(), r.opts.OfferTimeout.Milliseconds(),
		r.opts.DropGrace.Milliseconds(), r.opts.NoticeMaxLen,
		max(int64(r.opts.TaskTTL/time.Second), 1), r.opts.SocketLease.Milliseconds(),
	}, args...)
	reply, err := r.st.RunScript(ctx, r.opts.Replicas, s, append(r.sharedKeys(), keys...), all...)
	if err != nil {
		return result{}, unavailable(err)
	}
	if len(reply) < 3 {
		return result{}, fmt.Errorf("handoff: réponse de script inattendue : %v", reply)
	}
	res := result{status: str(reply[0]), detail: str(reply[1]), task: pairs(reply[2])}
	res.notices = parseNotices(reply[3:], now.UnixMilli())
	return res, res.err()
}

// Errors people read, by script status.
var statusErrors = map[string]*apperr.Error{
	"not_found":          apperr.New(apperr.NotFound, "Tâche introuvable."),
	"agent_not_found":    apperr.New(apperr.NotFound, "Agent introuvable."),
	"conv_not_found":     apperr.New(apperr.NotFound, "Aucune prise en charge en cours pour cette conversation."),
	"target_not_found":   apperr.New(apperr.NotFound, "L'agent destinataire est introuvable."),
	"taken":              apperr.New(apperr.Conflict, "Cette tâche a déjà été prise par un autre agent."),
	"not_offered":        apperr.New(apperr.Conflict, "Cette tâche ne vous est pas proposée."),
	"offered_other":      apperr.New(apperr.Conflict, "Cette tâche est proposée à un autre agent en ce moment."),
	"expired":            apperr.New(apperr.Conflict, "L'offre a expiré : la tâche est proposée à un autre agent."),
	"gone":               apperr.New(apperr.Conflict, "Cette tâche est terminée ou annulée."),
	"full":               apperr.New(apperr.Conflict, "Vous avez déjà le nombre maximal de conversations en cours."),
	"offline":            apperr.New(apperr.Conflict, "Vous êtes hors ligne : ouvrez le bureau pour recevoir des tâches."),
	"not_assigned":       apperr.New(apperr.Conflict, "Cette conversation n'est prise en charge par aucun agent."),
	"not_yours":          apperr.New(apperr.Forbidden, "Cette conversation est prise en charge par un autre agent."),
	"self":               apperr.New(apperr.Invalid, "Vous ne pouvez pas vous transférer votre propre conversation."),
	"target_offline":     apperr.New(apperr.Conflict, "L'agent destinataire est hors ligne."),
	"target_full":        apperr.New(apperr.Conflict, "L'agent destinataire n'a pas de place pour une conversation de plus."),
	"not_closed":         apperr.New(apperr.Conflict, "Cette conversation n'a pas été fermée par un conseiller : elle ne peut pas être rouverte."),
	"closed_by_other":    apperr.New(apperr.Forbidden, "Seul le conseiller qui a fermé la conversation peut la rouvrir."),
	"too_late":           apperr.New(apperr.Conflict, "Le délai pour rouvrir cette conversation est passé."),
	"reopened_elsewhere": apperr.New(apperr.Conflict, "Cette conversation a repris ailleurs : elle ne peut pas être rouverte."),
}

// err turns a script status into the error people read; ok and exists are no error.
func (res result) err() error {
	switch res.status {
	case "ok", "exists":
		return nil
	}
	if e, ok := statusErrors[res.status]; ok {
		return e
	}
	return fmt.Errorf("handoff: statut de script inconnu %q", res.status)
}

// ErrExpired, ErrTaken and ErrNotOffered let callers tell the conflicts apart.
var (
	ErrExpired    = statusErrors["expired"]
	ErrTaken      = statusErrors["taken"]
	ErrNotOffered = statusErrors["not_offered"]
)

// unavailable is a failed call to Redis as people read it (store.Unavailable).
func unavailable(err error) error { return store.Unavailable(err) }

// queueScore orders the queue: re-queued tasks (score = creation ms) first, then high
// priority, then normal, each oldest first.
func queueScore(p Priority, created time.Time) string {
	bucket := int64(2e13)
	if p == PriorityHigh {
		bucket = 1e13
	}
	return strconv.FormatInt(bucket+created.UnixMilli(), 10)
}

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
