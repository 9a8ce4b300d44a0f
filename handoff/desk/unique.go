package desk

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// A unique value (e-mail, account number, external id) is a reservation key holding the
// customer's id, claimed (SET NX) before the customer's record is written, as
// "<id> <deadline>" (pending: the writer has until deadline, unix seconds, to write it), then
// confirmed to "<id>" once the record carries the value, or released when the write fails
// or the value leaves the record. Another claimant meeting a pending reservation is refused
// (the first writer wins); past its deadline, or confirmed while its holder's record does not
// carry the value (a writer that died between two steps), it is stale: the claimant takes it
// over with a compare-and-set, or confirms it for the holder whose record does carry it.
// Readers check every hit against the record.

// pendingFor is how long a writer has between reserving a value and confirming it.
const pendingFor = 60 * time.Second

// uniqueField is the record's field holding each kind of unique value.
var uniqueField = map[string]string{"email": "email_key", "account": "account_key", "external": "external_id"}

// claim is a value reserved for a customer; fresh when this call made the reservation, held
// then as pending.
type claim struct {
	kind, value string
	fresh       bool
	pending     string
}

// reserve claims value of kind for customer id; it answers the other customer holding it, or
// "" when id now holds it.
func (d *Desk) reserve(ctx context.Context, kind, value, id string) (claim, string, error) {
	c := claim{kind: kind, value: value}
	if value == "" {
		return c, "", nil
	}
	key := d.uniqueKey(kind, value)
	c.pending = id + " " + strconv.FormatInt(time.Now().Add(pendingFor).Unix(), 10)
	for range 3 {
		var ok bool
		err := d.write(ctx, key, func(cl redis.Cmdable) (err error) {
			ok, err = cl.SetNX(ctx, key, c.pending, 0).Result()
			return err
		})
		if err != nil {
			if ok { // made but not acknowledged by the replicas: given up at once
				d.casDel(ctx, key, c.pending)
			}
			return c, "", err
		}
		if ok {
			c.fresh = true
			return c, "", nil
		}
		v, err := d.st.Client.Get(ctx, key).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return c, "", unavailable(err)
		}
		holder, deadline, pending := strings.Cut(v, " ")
		if holder == id {
			return c, "", nil
		}
		if pending {
			if end, _ := strconv.ParseInt(deadline, 10, 64); time.Now().Unix() < end {
				return c, holder, nil
			}
		}
		if d.holds(ctx, holder, kind, value) {
			if pending {
				d.casSet(ctx, key, v, holder)
			}
			return c, holder, nil
		}
		set, err := d.casSet(ctx, key, v, c.pending)
		if err != nil {
			return c, "", err
		}
		if set {
			c.fresh = true
			return c, "", nil
		}
	}
	return c, "", unavailable(errors.New("desk: réservation disputée"))
}

// confirm makes the fresh reservations of customer id final, once its record carries them.
func (d *Desk) confirm(ctx context.Context, id string, claims ...claim) error {
	for _, c := range claims {
		if !c.fresh {
			continue
		}
		if _, err := d.casSet(ctx, d.uniqueKey(c.kind, c.value), c.pending, id); err != nil {
			return err
		}
	}
	return nil
}

// holds says whether customer id's record carries value as its kind of unique value.
func (d *Desk) holds(ctx context.Context, id, kind, value string) bool {
	if !validID(id) {
		return false
	}
	v, err := d.st.Client.HGet(ctx, d.hkey(customerHome(id), "customer"), uniqueField[kind]).Result()
	return err == nil && v == value
}

// release gives up the reservations made fresh for customer id, unless its record carries
// them (its write was made, but not acknowledged): those are confirmed.
func (d *Desk) release(ctx context.Context, id string, claims ...claim) {
	for _, c := range claims {
		switch {
		case !c.fresh:
		case d.holds(ctx, id, c.kind, c.value):
			d.confirm(ctx, id, c)
		default:
			d.casDel(ctx, d.uniqueKey(c.kind, c.value), c.pending)
		}
	}
}

// unreserve releases value of kind held by customer id (the value left its record).
func (d *Desk) unreserve(ctx context.Context, id, kind, value string) int64 {
	if value == "" {
		return 0
	}
	n, _ := d.casDel(ctx, d.uniqueKey(kind, value), id)
	return n
}
