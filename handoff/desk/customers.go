package desk

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

func customerArgs(f CustomerFields) []any {
	return []any{f.Name, f.Email, strings.ToLower(f.Email), f.Phone, phoneKey(f.Phone),
		f.Address, f.AccountNumber, strings.ToLower(f.AccountNumber), f.Language, f.Notes}
}

// CreateCustomer records a new customer. An e-mail or account number another customer has
// is refused with a *DuplicateError.
func (d *Desk) CreateCustomer(ctx context.Context, f CustomerFields, by string) (Customer, error) {
	if err := f.clean(); err != nil {
		return Customer{}, err
	}
	return d.createCustomer(ctx, f, "", false, by)
}

// createCustomer reserves the unique values of a new customer, then writes its record in its
// home; lenient drops a value another customer holds instead of refusing it. With an
// external id another customer holds, it answers that customer.
func (d *Desk) createCustomer(ctx context.Context, f CustomerFields, ext string, lenient bool, by string) (Customer, error) {
	id := newID()
	var claims []claim
	fail := func(err error) (Customer, error) {
		d.release(ctx, id, claims...)
		return Customer{}, err
	}
	c, other, err := d.reserve(ctx, "external", ext, id)
	if err != nil {
		return Customer{}, err
	}
	if other != "" {
		return d.customerBeingWritten(ctx, other)
	}
	claims = append(claims, c)
	for _, u := range []struct {
		kind, field string
		value       *string
	}{{"email", "email", &f.Email}, {"account", "account_number", &f.AccountNumber}} {
		c, other, err := d.reserve(ctx, u.kind, strings.ToLower(*u.value), id)
		if err != nil {
			return fail(err)
		}
		if other != "" && !lenient {
			return fail(&DuplicateError{Field: u.field, ExistingID: other})
		}
		if other != "" {
			*u.value = ""
			continue
		}
		claims = append(claims, c)
	}
	args := append([]any{id, ext}, customerArgs(f)...)
	r, err := d.run(ctx, createCustomerScript, by, customerHome(id), nil, args...)
	if err != nil {
		return fail(err)
	}
	if err := d.confirm(ctx, id, claims...); err != nil {
		return Customer{}, err
	}
	if err := d.addPhone(ctx, id, phoneKey(f.Phone)); err != nil {
		return Customer{}, err
	}
	if err := d.indexName(ctx, id, f.Name); err != nil {
		return Customer{}, err
	}
	return customerFromHash(r.rec(0)), nil
}

// customerBeingWritten returns customer id, whose unique value another call reserved and
// may still be writing.
func (d *Desk) customerBeingWritten(ctx context.Context, id string) (Customer, error) {
	for range 100 {
		c, err := d.Customer(ctx, id)
		if !errors.Is(err, ErrCustomerNotFound) {
			return c, err
		}
		time.Sleep(10 * time.Millisecond)
	}
	return Customer{}, ErrCustomerNotFound
}

func (d *Desk) addPhone(ctx context.Context, id, digits string) error {
	if digits == "" {
		return nil
	}
	return d.write(ctx, d.phoneSetKey(digits), func(c redis.Cmdable) error {
		return c.SAdd(ctx, d.phoneSetKey(digits), id).Err()
	})
}

// removePhone takes customer id out of the phone index of digits; it returns 1 when it was in.
func (d *Desk) removePhone(ctx context.Context, id, digits string) int64 {
	var n int64
	d.write(ctx, d.phoneSetKey(digits), func(c redis.Cmdable) (err error) {
		n, err = c.SRem(ctx, d.phoneSetKey(digits), id).Result()
		return err
	})
	return n
}

// Customer returns a customer by id.
func (d *Desk) Customer(ctx context.Context, id string) (Customer, error) {
	if !validID(id) {
		return Customer{}, ErrCustomerNotFound
	}
	h, err := d.hash(ctx, d.hkey(customerHome(id), "customer"), ErrCustomerNotFound)
	if err != nil {
		return Customer{}, err
	}
	return customerFromHash(h), nil
}

// UpdateCustomer replaces the editable fields of customer id, if it is still at version:
// otherwise a *StaleError with the current customer, and nothing is written.
func (d *Desk) UpdateCustomer(ctx context.Context, id string, version int64, f CustomerFields, by string) (Customer, error) {
	if !validID(id) {
		return Customer{}, ErrCustomerNotFound
	}
	if err := f.clean(); err != nil {
		return Customer{}, err
	}
	var claims []claim
	for _, u := range []struct{ kind, field, value string }{
		{"email", "email", strings.ToLower(f.Email)}, {"account", "account_number", strings.ToLower(f.AccountNumber)}} {
		c, other, err := d.reserve(ctx, u.kind, u.value, id)
		if err != nil {
			d.release(ctx, id, claims...)
			return Customer{}, err
		}
		if other != "" {
			d.release(ctx, id, claims...)
			return Customer{}, &DuplicateError{Field: u.field, ExistingID: other}
		}
		claims = append(claims, c)
	}
	args := append([]any{strconv.FormatInt(version, 10)}, customerArgs(f)...)
	r, err := d.run(ctx, updateCustomerScript, by, customerHome(id), nil, args...)
	if err == nil {
		err = r.refusal(ErrCustomerNotFound, func(h map[string]string) any { return customerFromHash(h) })
	}
	if err != nil {
		d.release(ctx, id, claims...)
		return Customer{}, err
	}
	if err := d.confirm(ctx, id, claims...); err != nil {
		return Customer{}, err
	}
	old := r.rec(1)
	if k := old["email_key"]; k != strings.ToLower(f.Email) {
		d.unreserve(ctx, id, "email", k)
	}
	if k := old["account_key"]; k != strings.ToLower(f.AccountNumber) {
		d.unreserve(ctx, id, "account", k)
	}
	if k := old["phone_key"]; k != "" && k != phoneKey(f.Phone) {
		d.removePhone(ctx, id, k)
	}
	if err := d.addPhone(ctx, id, phoneKey(f.Phone)); err != nil {
		return Customer{}, err
	}
	if err := d.renameIndex(ctx, id, old["name"], f.Name); err != nil {
		return Customer{}, err
	}
	return customerFromHash(r.rec(0)), nil
}

// Search is a look-up in the customer indexes; the first field set is used.
type Search struct {
	Email   string // exact, ignoring case
	Phone   string // the digits (+33 counts as 0)
	Account string // exact, ignoring case
	Name    string // the start of words of the name, ignoring case and accents (see byName)
	Q       string // tried as an e-mail, a phone number, an account number and a name
}

// SearchCustomers returns the customers found, at most 20.
func (d *Desk) SearchCustomers(ctx context.Context, q Search) ([]Customer, error) {
	var ids []string
	var err error
	switch {
	case q.Email != "":
		ids, err = d.byIndex(ctx, "email", strings.ToLower(strings.TrimSpace(q.Email)))
	case q.Phone != "":
		ids, err = d.byPhone(ctx, q.Phone)
	case q.Account != "":
		ids, err = d.byIndex(ctx, "account", strings.ToLower(strings.TrimSpace(q.Account)))
	case q.Name != "":
		ids, err = d.byName(ctx, q.Name)
	case q.Q != "":
		ids, err = d.anyIndex(ctx, strings.TrimSpace(q.Q))
	}
	if err != nil {
		return nil, err
	}
	found, err := d.customers(ctx, ids)
	if err != nil || q.Email != "" || q.Phone != "" || q.Account != "" {
		return found, err
	}
	return d.stillNamed(found, q), nil
}

// stillNamed drops the customers a name search found through a stale entry (a name changed
// by a writer that died before updating the index), unless another index found them.
func (d *Desk) stillNamed(found []Customer, q Search) []Customer {
	query := q.Name
	if query == "" {
		query = q.Q
	}
	_, words := nameWords(query)
	return slices.DeleteFunc(found, func(c Customer) bool {
		_, own := nameWords(c.Name)
		if nameMatches(strings.Join(own, " "), words) {
			return false
		}
		return q.Q == "" || !d.otherIndexHolds(c, strings.TrimSpace(q.Q))
	})
}

// otherIndexHolds says whether q, as an e-mail, a phone or an account, is customer c's.
func (d *Desk) otherIndexHolds(c Customer, q string) bool {
	k := phoneKey(q)
	return strings.EqualFold(c.Email, q) || strings.EqualFold(c.AccountNumber, q) ||
		(len(k) >= minPhone && k == phoneKey(c.Phone))
}

func (d *Desk) byIndex(ctx context.Context, index, key string) ([]string, error) {
	if key == "" {
		return nil, nil
	}
	v, err := d.st.Client.Get(ctx, d.uniqueKey(index, key)).Result()
	id, _, _ := strings.Cut(v, " ") // a pending reservation names its writer too
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, unavailable(err)
	}
	if !d.holds(ctx, id, index, key) {
		return nil, nil // a stale reservation
	}
	return []string{id}, nil
}

func (d *Desk) byPhone(ctx context.Context, phone string) ([]string, error) {
	k := phoneKey(phone)
	if len(k) < minPhone {
		return nil, nil
	}
	ids, err := d.st.Client.SMembers(ctx, d.phoneSetKey(k)).Result()
	if err != nil {
		return nil, unavailable(err)
	}
	slices.Sort(ids)
	return ids, nil
}

// anyIndex tries q as an e-mail, a phone number, an account number and a name, in that order, and
// returns every customer found, once.
func (d *Desk) anyIndex(ctx context.Context, q string) ([]string, error) {
	var ids []string
	for _, find := range []func() ([]string, error){
		func() ([]string, error) { return d.byIndex(ctx, "email", strings.ToLower(q)) },
		func() ([]string, error) { return d.byPhone(ctx, q) },
		func() ([]string, error) { return d.byIndex(ctx, "account", strings.ToLower(q)) },
		func() ([]string, error) { return d.byName(ctx, q) },
	} {
		found, err := find()
		if err != nil {
			return nil, err
		}
		for _, id := range found {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids, nil
}

// customers reads the customers of ids that still exist, at most 20.
func (d *Desk) customers(ctx context.Context, ids []string) ([]Customer, error) {
	out := []Customer{}
	for _, id := range ids[:min(len(ids), maxSearched)] {
		c, err := d.Customer(ctx, id)
		if errors.Is(err, ErrCustomerNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Identity is what a signed identity says about a customer (see VerifyIdentity).
type Identity struct {
	Sub   string `json:"sub"` // the company's own id: the customer's external_id
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
	Exp   int64  `json:"exp"` // unix seconds
}

// EnsureCustomer returns the customer whose external_id is id.Sub, creating it from the
// identity when there is none. What the identity says that the rules refuse (an e-mail that
// does not look like one, an e-mail another customer has) is left out rather than refused:
// the company's site vouches for the customer, not for every field.
func (d *Desk) EnsureCustomer(ctx context.Context, id Identity) (Customer, error) {
	f := CustomerFields{Name: id.Name, Email: id.Email, Phone: id.Phone}
	f.Name = firstRunes(strings.TrimSpace(f.Name), MaxName)
	if f.Name == "" {
		f.Name = firstRunes("Client "+id.Sub, MaxName)
	}
	if err := f.clean(); err != nil {
		f.Email, f.Phone = keepIf(looksLikeEmail(f.Email), f.Email), keepIf(validPhone(f.Phone), f.Phone)
	}
	return d.createCustomer(ctx, f, id.Sub, true, "")
}

func validPhone(p string) bool {
	n := len(phoneDigits(p))
	return n >= minPhone && n <= maxPhone
}

func keepIf(ok bool, v string) string {
	if ok {
		return v
	}
	return ""
}

func firstRunes(s string, n int) string {
	r := []rune(s)
	return string(r[:min(len(r), n)])
}

// SetConversationCustomer remembers that conversation convID is customer's (from a signed
// identity or a link), for ttl: its tasks and its left message are filed for the customer.
func (d *Desk) SetConversationCustomer(ctx context.Context, convID, customerID string, ttl time.Duration) error {
	return d.write(ctx, d.convCustomerKey(convID), func(c redis.Cmdable) error {
		return c.Set(ctx, d.convCustomerKey(convID), customerID, ttl).Err()
	})
}

// ConversationCustomer returns the customer of a conversation, "" when unknown.
func (d *Desk) ConversationCustomer(ctx context.Context, convID string) (string, error) {
	id, err := d.st.Client.Get(ctx, d.convCustomerKey(convID)).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", unavailable(err)
	}
	return id, nil
}
