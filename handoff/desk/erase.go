package desk

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// The desk's side of a privacy request (package privacy): finding everything filed about a
// person, and erasing it with every index entry that points at it (scripts/erase.lua).

var eraseScript = scripts.AfterPrelude("erase")

// Erased counts what Erase deleted, by kind of record: customers, requests, activities,
// left_messages, tags, conversation_links (a conversation's customer) and index_entries.
type Erased map[string]int64

// ConversationsOf returns the conversations filed for customer id: those of their
// activities, and those the desk links to them (a signed identity or a link, while the link
// lasts). Sorted, each once; none for an unknown customer.
func (d *Desk) ConversationsOf(ctx context.Context, id string) ([]string, error) {
	if !validID(id) {
		return nil, nil
	}
	var ids []string
	j, err := d.Journey(ctx, id)
	if err != nil && err != ErrCustomerNotFound {
		return nil, err
	}
	for _, r := range j.Requests {
		for _, a := range r.Activities {
			ids = append(ids, a.ConversationID)
		}
	}
	links, err := d.scan(ctx, d.convCustomerKey("*"))
	if err != nil {
		return nil, unavailable(err)
	}
	owners, err := d.getAll(ctx, links)
	if err != nil {
		return nil, err
	}
	for i, k := range links {
		if owners[i] == id {
			ids = append(ids, strings.TrimSuffix(strings.TrimPrefix(k, d.gkey("conv")+":"), ":customer"))
		}
	}
	ids = slices.DeleteFunc(ids, func(c string) bool { return c == "" })
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// homeActivity is an activity with its home.
type homeActivity struct {
	home string
	Activity
}

// ActivitiesOfConversations returns the activities filed for any of the conversations convs,
// wherever they are filed (a customer's request or a request without a customer), oldest
// first. It reads every activity of the desk: for privacy requests, not for the desk's pages.
func (d *Desk) ActivitiesOfConversations(ctx context.Context, convs []string) ([]Activity, error) {
	found, err := d.activitiesOf(ctx, convs)
	out := make([]Activity, len(found))
	for i, a := range found {
		out[i] = a.Activity
	}
	return out, err
}

func (d *Desk) activitiesOf(ctx context.Context, convs []string) ([]homeActivity, error) {
	if len(convs) == 0 {
		return nil, nil
	}
	recs, err := d.records(ctx, "activity")
	if err != nil {
		return nil, err
	}
	var out []homeActivity
	for _, r := range recs {
		if r.h["moved_to"] == "" && slices.Contains(convs, r.h["conversation_id"]) {
			out = append(out, homeActivity{r.home, activityFromHash(r.h)})
		}
	}
	slices.SortFunc(out, func(a, b homeActivity) int { return strings.Compare(a.CreatedAt, b.CreatedAt) })
	return out, nil
}

// Erase deletes the activities filed for the conversations convs (a request left empty goes
// too), the desk's links and index entries of those conversations (their words in the text
// index among them), and, when customerID is not "", the customer with all their requests,
// activities, tags and left messages and every index entry pointing at them. What is in the
// customer's home goes in one script (one slot); the activities filed elsewhere go home by
// home, then the entries outside the homes.
// Erasing what is already gone deletes nothing: the counts are then 0.
func (d *Desk) Erase(ctx context.Context, customerID string, convs []string, by string) (Erased, error) {
	if customerID != "" && !validID(customerID) {
		return nil, ErrCustomerNotFound
	}
	convs = slices.DeleteFunc(slices.Clone(convs), func(c string) bool { return !validID(c) })
	acts, err := d.activitiesOf(ctx, convs)
	if err != nil {
		return nil, err
	}
	byHome := map[string][]any{}
	if customerID != "" {
		byHome[customerHome(customerID)] = []any{"1"}
	}
	for _, a := range acts {
		if byHome[a.home] == nil {
			byHome[a.home] = []any{"0"}
		}
		byHome[a.home] = append(byHome[a.home], a.ID)
	}
	out := Erased{"customers": 0, "requests": 0, "activities": 0, "left_messages": 0, "tags": 0,
		"conversation_links": 0, "index_entries": 0}
	for home, args := range byHome {
		r, err := d.run(ctx, eraseScript, by, home, nil, args...)
		if err != nil {
			return nil, err
		}
		for k, v := range r.rec(0) {
			n, _ := strconv.ParseInt(v, 10, 64)
			out[k] += n
		}
		if err := d.unpoint(ctx, r, out); err != nil {
			return nil, err
		}
	}
	for _, c := range convs {
		n, err := d.del(ctx, d.convCustomerKey(c))
		if err != nil {
			return nil, err
		}
		out["conversation_links"] += n
		n, _ = d.del(ctx, d.convLatestKey(c))
		out["index_entries"] += n
		if n, err = d.unindexText(ctx, c); err != nil {
			return nil, err
		}
		out["index_entries"] += n
	}
	return out, nil
}

// unpoint deletes the entries outside the home that pointed at what erase.lua deleted.
func (d *Desk) unpoint(ctx context.Context, r reply, out Erased) error {
	c := r.rec(1)
	if id := c["id"]; id != "" {
		out["index_entries"] += d.unreserve(ctx, id, "email", c["email_key"]) +
			d.unreserve(ctx, id, "account", c["account_key"]) + d.unreserve(ctx, id, "external", c["external_id"])
		if k := c["phone_key"]; k != "" {
			out["index_entries"] += d.removePhone(ctx, id, k)
		}
		if err := d.unindexName(ctx, id, c["name"]); err != nil {
			return err
		}
	}
	var keys []string
	for id := range r.rec(2) {
		keys = append(keys, d.locatorKey(id))
	}
	for _, a := range r.recs[min(3, len(r.recs)):] {
		keys = append(keys, d.locatorKey(a["id"]))
		for _, k := range []string{d.taskKey(a["task_id"]), d.convLatestKey(a["conversation_id"])} {
			if cur, _ := d.rawPointer(ctx, k); cur == a["id"] {
				n, _ := d.del(ctx, k)
				out["index_entries"] += n
			}
		}
		err := d.write(ctx, d.key("messages"), func(c redis.Cmdable) error {
			n, err := c.ZRem(ctx, d.key("messages"), a["id"]).Result()
			out["index_entries"] += n
			return err
		})
		if err != nil {
			return err
		}
	}
	for _, k := range keys {
		if _, err := d.del(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

// rawPointer is the activity a task or conversation key points at, ended or not.
func (d *Desk) rawPointer(ctx context.Context, key string) (string, error) {
	v, err := d.st.Client.Get(ctx, key).Result()
	if err != nil && err != redis.Nil {
		return "", unavailable(err)
	}
	aid, _, _ := strings.Cut(v, " ")
	return aid, nil
}

// getAll reads string keys, "" for those gone.
func (d *Desk) getAll(ctx context.Context, keys []string) ([]string, error) {
	out := make([]string, len(keys))
	for i, k := range keys { // one by one: the keys are in many slots
		v, err := d.st.Client.Get(ctx, k).Result()
		if err != nil && err != redis.Nil {
			return nil, unavailable(err)
		}
		out[i] = v
	}
	return out, nil
}

// homeRecord is a record read by a scan, with its home.
type homeRecord struct {
	home string
	h    map[string]string
}

// records reads every record of kind ("customer", "request" or "activity") of every home.
func (d *Desk) records(ctx context.Context, kind string) ([]homeRecord, error) {
	keys, err := d.scan(ctx, d.st.Key("{*}:"+kind+"*"))
	if err != nil {
		return nil, unavailable(err)
	}
	var out []homeRecord
	for _, k := range keys {
		home, rest, ok := strings.Cut(strings.TrimPrefix(k, d.st.Key("{")), "}:")
		if !ok || home == "desk" || !(rest == kind || strings.HasPrefix(rest, kind+":") && !strings.Contains(rest[len(kind)+1:], ":")) {
			continue
		}
		h, err := d.st.Client.HGetAll(ctx, k).Result()
		if err != nil {
			return nil, unavailable(err)
		}
		if len(h) > 0 {
			out = append(out, homeRecord{home, h})
		}
	}
	return out, nil
}

// scan returns the keys matching pattern, once each, from every master of a Redis Cluster.
func (d *Desk) scan(ctx context.Context, pattern string) ([]string, error) {
	var mu sync.Mutex
	var keys []string
	one := func(ctx context.Context, node redis.Cmdable) error {
		for cursor := uint64(0); ; {
			page, next, err := node.Scan(ctx, cursor, pattern, 1000).Result()
			if err != nil {
				return err
			}
			mu.Lock()
			keys = append(keys, page...)
			mu.Unlock()
			if cursor = next; cursor == 0 {
				return nil
			}
		}
	}
	var err error
	if cc, ok := d.st.Client.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return one(ctx, c) })
	} else {
		err = one(ctx, d.st.Client)
	}
	if err != nil {
		return nil, err
	}
	slices.Sort(keys)
	return slices.Compact(keys), nil
}
