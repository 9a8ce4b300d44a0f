package desk

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Migrated counts what MigrateLegacy moved, by kind.
type Migrated map[string]int

// MigrateLegacy moves the records of the layout before the per-person hash tags (every key
// under {desk}: {desk}:customer:<id>, {desk}:request:<id>, {desk}:activity:<id>, the index
// hashes {desk}:idx:*, {desk}:conv:<id>:customer) to the current layout, then deletes the old
// keys. It copies before it deletes and each copy overwrites the same fields, so running it
// again after a failure finishes the work; run it while no desk writes (before the instances
// on the new version start serving).
func (d *Desk) MigrateLegacy(ctx context.Context) (Migrated, error) {
	m := &migration{d: d, done: Migrated{}}
	steps := []func(context.Context) error{m.customers, m.anonymous, m.pointers, m.messages, m.convCustomers}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return m.done, unavailable(err)
		}
	}
	for _, k := range m.old {
		if _, err := d.del(ctx, k); err != nil {
			return m.done, err
		}
	}
	return m.done, nil
}

type migration struct {
	d    *Desk
	done Migrated
	old  []string // the legacy keys copied, deleted at the end
}

func (m *migration) c() redis.UniversalClient { return m.d.st.Client }

// ids lists the legacy records of kind ({desk}:<kind>:<id>).
func (m *migration) ids(ctx context.Context, kind string) ([]string, error) {
	keys, err := m.d.scan(ctx, m.d.key(kind, "*"))
	var ids []string
	for _, k := range keys {
		if id := strings.TrimPrefix(k, m.d.key(kind, "")); !strings.Contains(id, ":") && validID(id) {
			ids = append(ids, id)
		}
	}
	return ids, err
}

func (m *migration) customers(ctx context.Context) error {
	ids, err := m.ids(ctx, "customer")
	if err != nil {
		return err
	}
	for _, id := range ids {
		home := customerHome(id)
		h, err := m.copyHash(ctx, m.d.key("customer", id), m.d.hkey(home, "customer"), nil)
		if err != nil || h == nil {
			return err
		}
		for kind, field := range uniqueField {
			if v := h[field]; v != "" {
				if err := m.c().Set(ctx, m.d.uniqueKey(kind, v), id, 0).Err(); err != nil {
					return err
				}
			}
		}
		if err := m.d.addPhone(ctx, id, h["phone_key"]); err != nil {
			return err
		}
		if h["phone_key"] != "" {
			m.old = append(m.old, m.d.key("idx", "phone", h["phone_key"]))
		}
		if _, err := m.copyZSet(ctx, m.d.key("customer", id, "open"), m.d.hkey(home, "open")); err != nil {
			return err
		}
		reqs, err := m.copyZSet(ctx, m.d.key("customer", id, "requests"), m.d.hkey(home, "requests"))
		if err != nil {
			return err
		}
		for _, r := range reqs {
			if err := m.request(ctx, home, r.Member.(string)); err != nil {
				return err
			}
		}
		m.done["customers"]++
	}
	return nil
}

func (m *migration) anonymous(ctx context.Context) error {
	ids, err := m.ids(ctx, "request")
	if err != nil {
		return err
	}
	for _, id := range ids {
		c, err := m.c().HGet(ctx, m.d.key("request", id), "customer_id").Result()
		if err == redis.Nil || c != "" {
			continue // gone, or a customer's (moved with them)
		}
		if err != nil {
			return err
		}
		if err := m.request(ctx, requestHome(id), id); err != nil {
			return err
		}
	}
	return nil
}

// request copies request id with its activities into home and points their locators there.
func (m *migration) request(ctx context.Context, home, id string) error {
	if _, err := m.copyHash(ctx, m.d.key("request", id), m.d.hkey(home, "request", id), nil); err != nil {
		return err
	}
	acts, err := m.copyZSet(ctx, m.d.key("request", id, "activities"), m.d.hkey(home, "request", id, "activities"))
	if err != nil {
		return err
	}
	ids := []string{id}
	for _, a := range acts {
		aid := a.Member.(string)
		seq := []any{"seq", strconv.FormatFloat(a.Score, 'f', -1, 64)}
		if _, err := m.copyHash(ctx, m.d.key("activity", aid), m.d.hkey(home, "activity", aid), seq); err != nil {
			return err
		}
		ids = append(ids, aid)
		m.done["activities"]++
	}
	m.done["requests"]++
	return m.d.setLocators(ctx, home, ids...)
}

// pointers turns the task and conversation index hashes into keys of their own.
func (m *migration) pointers(ctx context.Context) error {
	for index, key := range map[string]func(string) string{"task": m.d.taskKey, "conv": m.d.convLatestKey} {
		h, err := m.c().HGetAll(ctx, m.d.key("idx", index)).Result()
		if err != nil {
			return err
		}
		for field, aid := range h {
			end, err := m.c().ZScore(ctx, m.d.key("idx", index, "end"), field).Result()
			if err != nil && err != redis.Nil {
				return err
			}
			ttl := time.Unix(int64(end), 0).Sub(m.d.now())
			if ttl <= 0 {
				continue
			}
			p := pointer{activity: aid, end: int64(end)}
			if err := m.c().Set(ctx, key(field), p.value(), ttl).Err(); err != nil {
				return err
			}
			m.done["index_entries"]++
		}
		m.old = append(m.old, m.d.key("idx", index), m.d.key("idx", index, "end"))
	}
	m.old = append(m.old, m.d.key("idx", "email"), m.d.key("idx", "account"), m.d.key("idx", "external"))
	return nil
}

func (m *migration) messages(ctx context.Context) error {
	_, err := m.copyZSet(ctx, m.d.key("idx", "messages"), m.d.key("messages"))
	return err
}

func (m *migration) convCustomers(ctx context.Context) error {
	keys, err := m.d.scan(ctx, m.d.key("conv", "*", "customer"))
	if err != nil {
		return err
	}
	for _, k := range keys {
		conv := strings.TrimSuffix(strings.TrimPrefix(k, m.d.key("conv", "")), ":customer")
		v, err := m.c().Get(ctx, k).Result()
		ttl, _ := m.c().TTL(ctx, k).Result()
		if err != nil || ttl <= 0 {
			continue
		}
		if err := m.c().Set(ctx, m.d.convCustomerKey(conv), v, ttl).Err(); err != nil {
			return err
		}
		m.old = append(m.old, k)
		m.done["conversation_links"]++
	}
	return nil
}

// copyHash copies hash from to to (with extra fields), nil when from is gone.
func (m *migration) copyHash(ctx context.Context, from, to string, extra []any) (map[string]string, error) {
	h, err := m.c().HGetAll(ctx, from).Result()
	if err != nil || len(h) == 0 {
		return nil, err
	}
	if err := m.c().HSet(ctx, to, h).Err(); err != nil {
		return nil, err
	}
	if len(extra) > 0 {
		if err := m.c().HSet(ctx, to, extra...).Err(); err != nil {
			return nil, err
		}
	}
	m.old = append(m.old, from)
	return h, nil
}

func (m *migration) copyZSet(ctx context.Context, from, to string) ([]redis.Z, error) {
	zs, err := m.c().ZRangeWithScores(ctx, from, 0, -1).Result()
	if err != nil || len(zs) == 0 {
		return nil, err
	}
	if err := m.c().ZAdd(ctx, to, zs...).Err(); err != nil {
		return nil, err
	}
	m.old = append(m.old, from)
	return zs, nil
}
