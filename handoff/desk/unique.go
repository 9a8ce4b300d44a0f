package desk

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"
)

// A unique value (e-mail, account number, external id) is a reservation key holding the
// customer's id, claimed (SET NX) before the customer's record is written and released when
// the write fails or the value leaves the record. A reservation whose holder's record does
// not carry the value (a crash between the two steps) is stale: the next claimant takes it
// over with a compare-and-set. Readers check every hit against the record.

// uniqueField is the record's field holding each kind of unique value.
var uniqueField = map[string]string{"email": "email_key", "account": "account_key", "external": "external_id"}

// claim is a value reserved for a customer; fresh when this call made the reservation.
type claim struct {
	kind, value string
	fresh       bool
}

// reserve claims value of kind for customer id; it answers the other customer holding it, or
// "" when id now holds it.
func (d *Desk) reserve(ctx context.Context, kind, value, id string) (claim, string, error) {
	c := claim{kind: kind, value: value}
	if value == "" {
		return c, "", nil
	}
	key := d.uniqueKey(kind, value)
	for range 3 {
		ok, err := d.st.Client.SetNX(ctx, key, id, 0).Result()
		if err != nil {
			return c, "", unavailable(err)
		}
		if ok {
			c.fresh = true
			return c, "", nil
		}
		holder, err := d.st.Client.Get(ctx, key).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return c, "", unavailable(err)
		}
		if holder == id {
			return c, "", nil
		}
		if d.holds(ctx, holder, kind, value) {
			return c, holder, nil
		}
		n, err := casSetScript.Run(ctx, d.st.Client, []string{key}, holder, id).Int64()
		if err != nil {
			return c, "", unavailable(err)
		}
		if n == 1 {
			c.fresh = true
			return c, "", nil
		}
	}
	return c, "", unavailable(errors.New("desk: réservation disputée"))
}

// holds says whether customer id's record carries value as its kind of unique value.
func (d *Desk) holds(ctx context.Context, id, kind, value string) bool {
	if !validID(id) {
		return false
	}
	v, err := d.st.Client.HGet(ctx, d.hkey(customerHome(id), "customer"), uniqueField[kind]).Result()
	return err == nil && v == value
}

// release gives up the reservations made fresh for customer id, unless its record now
// carries them (another write of the same customer won).
func (d *Desk) release(ctx context.Context, id string, claims ...claim) {
	for _, c := range claims {
		if c.fresh && !d.holds(ctx, id, c.kind, c.value) {
			d.casDel(ctx, d.uniqueKey(c.kind, c.value), id)
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
