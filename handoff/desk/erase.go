package desk

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// The desk's side of a privacy request (package privacy): finding everything filed about a
// person, and erasing it with every index entry that points at it (scripts/erase.lua).

var eraseScript = script("erase")

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
	if err != nil && !errors.Is(err, ErrCustomerNotFound) {
		return nil, err
	}
	for _, r := range j.Requests {
		for _, a := range r.Activities {
			ids = append(ids, a.ConversationID)
		}
	}
	links, err := d.scan(ctx, d.key("conv", "*", "customer"))
	if err != nil {
		return nil, unavailable(err)
	}
	owners, err := d.getAll(ctx, links)
	if err != nil {
		return nil, err
	}
	for i, k := range links {
		if owners[i] == id {
			ids = append(ids, strings.TrimSuffix(strings.TrimPrefix(k, d.key("conv")+":"), ":customer"))
		}
	}
	ids = slices.DeleteFunc(ids, func(c string) bool { return c == "" })
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// ActivitiesOfConversations returns the activities filed for any of the conversations convs,
// wherever they are filed (a customer's request or a request without a customer), oldest
// first. It reads every activity of the desk: for privacy requests, not for the desk's pages.
func (d *Desk) ActivitiesOfConversations(ctx context.Context, convs []string) ([]Activity, error) {
	if len(convs) == 0 {
		return nil, nil
	}
	keys, err := d.scan(ctx, d.key("activity", "*"))
	if err != nil {
		return nil, unavailable(err)
	}
	keys = slices.DeleteFunc(keys, func(k string) bool {
		return strings.Contains(strings.TrimPrefix(k, d.key("activity")+":"), ":")
	})
	cmds, err := d.st.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			p.HGetAll(ctx, k)
		}
		return nil
	})
	if err != nil {
		return nil, unavailable(err)
	}
	var out []Activity
	for _, c := range cmds {
		h := c.(*redis.MapStringStringCmd).Val()
		if len(h) > 0 && slices.Contains(convs, h["conversation_id"]) {
			out = append(out, activityFromHash(h))
		}
	}
	slices.SortFunc(out, func(a, b Activity) int { return strings.Compare(a.CreatedAt, b.CreatedAt) })
	return out, nil
}

// Erase deletes, in one script, the activities filed for the conversations convs (a request
// left empty goes too), the desk's links and index entries of those conversations, and, when
// customerID is not "", the customer with all their requests, activities, tags and left
// messages and every index entry pointing at them. Erasing what is already gone deletes
// nothing: the counts are then 0.
func (d *Desk) Erase(ctx context.Context, customerID string, convs []string, by string) (Erased, error) {
	if customerID != "" && !validID(customerID) {
		return nil, ErrCustomerNotFound
	}
	convs = slices.DeleteFunc(slices.Clone(convs), func(c string) bool { return !validID(c) })
	acts, err := d.ActivitiesOfConversations(ctx, convs)
	if err != nil {
		return nil, err
	}
	args := []any{customerID, len(acts)}
	for _, a := range acts {
		args = append(args, a.ID)
	}
	for _, c := range convs {
		args = append(args, c)
	}
	r, err := d.run(ctx, eraseScript, by, d.customerKeys(customerID), args...)
	if err != nil {
		return nil, err
	}
	if err := r.refusal(ErrCustomerNotFound, nil); err != nil {
		return nil, err
	}
	out := Erased{}
	for k, v := range r.rec(0) {
		out[k], _ = strconv.ParseInt(v, 10, 64)
	}
	return out, nil
}

// getAll reads string keys, "" for those gone.
func (d *Desk) getAll(ctx context.Context, keys []string) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	cmds, err := d.st.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			p.Get(ctx, k)
		}
		return nil
	})
	if err != nil && err != redis.Nil {
		return nil, unavailable(err)
	}
	out := make([]string, len(cmds))
	for i, c := range cmds {
		out[i] = c.(*redis.StringCmd).Val()
	}
	return out, nil
}

// scan returns the desk keys matching pattern, once each. Every desk key is in the slot of
// the hash tag {desk}: on a Redis Cluster only the master holding it is scanned.
func (d *Desk) scan(ctx context.Context, pattern string) ([]string, error) {
	var node redis.Cmdable = d.st.Client
	if cc, ok := d.st.Client.(*redis.ClusterClient); ok {
		n, err := cc.MasterForKey(ctx, d.key("seq"))
		if err != nil {
			return nil, err
		}
		node = n
	}
	var keys []string
	for cursor := uint64(0); ; {
		page, next, err := node.Scan(ctx, cursor, pattern, 1000).Result()
		if err != nil {
			return nil, err
		}
		keys = append(keys, page...)
		if cursor = next; cursor == 0 {
			break
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys), nil
}
