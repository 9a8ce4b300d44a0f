package desk

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// The key layout (see the package doc). A home is the hash tag of one person's records:
// "c:<customer id>", or "r:<request id>" for a request without a customer.

func customerHome(id string) string { return "c:" + id }
func requestHome(id string) string  { return "r:" + id }

// hkey names a key of home: <prefix>{<home>}:<parts>.
func (d *Desk) hkey(home string, parts ...string) string {
	return d.st.Key("{"+home+"}") + ":" + strings.Join(parts, ":")
}

// gkey names a desk-wide key outside every home, in a slot of its own.
func (d *Desk) gkey(parts ...string) string { return d.st.Key(parts...) }

func (d *Desk) locatorKey(id string) string        { return d.gkey("loc", id) }
func (d *Desk) taskKey(task string) string         { return d.gkey("task", task) }
func (d *Desk) convLatestKey(conv string) string   { return d.gkey("conv", conv, "latest") }
func (d *Desk) convCustomerKey(conv string) string { return d.gkey("conv", conv, "customer") }
func (d *Desk) uniqueKey(kind, value string) string {
	return d.gkey("idx", kind, value)
}
func (d *Desk) phoneSetKey(digits string) string { return d.gkey("idx", "phone", digits) }

// locate returns the home of request or activity id, "" when it has none.
func (d *Desk) locate(ctx context.Context, id string) (string, error) {
	h, err := d.st.Client.Get(ctx, d.locatorKey(id)).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", unavailable(err)
	}
	return h, nil
}

// setLocators records that ids live in home; written before the records they point at.
func (d *Desk) setLocators(ctx context.Context, home string, ids ...string) error {
	for _, id := range ids {
		err := d.write(ctx, d.locatorKey(id), func(c redis.Cmdable) error {
			return c.Set(ctx, d.locatorKey(id), home, 0).Err()
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// seqs reserves n filing orders, increasing across the desk; it returns the first.
func (d *Desk) seqs(ctx context.Context, n int64) (int64, error) {
	var last int64
	err := d.write(ctx, d.key("seq"), func(c redis.Cmdable) (err error) {
		last, err = c.IncrBy(ctx, d.key("seq"), n).Result()
		return err
	})
	return last - n + 1, err
}

// pointer is the value of a task or conversation key: an activity and when the entry ends
// (unix s, by the desk's clock; the key also expires then by Redis's).
type pointer struct {
	activity string
	end      int64
}

func (d *Desk) readPointer(ctx context.Context, key string) (string, error) {
	v, err := d.st.Client.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", unavailable(err)
	}
	aid, end, _ := strings.Cut(v, " ")
	if e, _ := strconv.ParseInt(end, 10, 64); e <= d.now().Unix() {
		return "", nil
	}
	return aid, nil
}

func (p pointer) value() string { return p.activity + " " + strconv.FormatInt(p.end, 10) }

// keepPointer sets key to aid for the index lifetime from now.
func (d *Desk) keepPointer(ctx context.Context, key, aid string) error {
	p := pointer{activity: aid, end: d.indexEnd()}
	return d.write(ctx, key, func(c redis.Cmdable) error { return c.Set(ctx, key, p.value(), d.indexTTL).Err() })
}

// casDelScript deletes KEYS[1] when it holds ARGV[1] (one key: any slot).
var casDelScript = redis.NewScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`)

// casSetScript sets KEYS[1] to ARGV[2] when it holds ARGV[1] (” for absent); 1 when set.
var casSetScript = redis.NewScript(`local v = redis.call('GET', KEYS[1]) or ''
if v == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0`)

func (d *Desk) casDel(ctx context.Context, key, value string) (int64, error) {
	var n int64
	err := d.write(ctx, key, func(c redis.Cmdable) (err error) {
		n, err = casDelScript.Run(ctx, c, []string{key}, value).Int64()
		return err
	})
	return n, err
}

// casSet sets key to value when it holds old ("" for absent); true when set.
func (d *Desk) casSet(ctx context.Context, key, old, value string) (bool, error) {
	var n int64
	err := d.write(ctx, key, func(c redis.Cmdable) (err error) {
		n, err = casSetScript.Run(ctx, c, []string{key}, old, value).Int64()
		return err
	})
	return n == 1, err
}
