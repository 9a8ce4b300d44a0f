package handoff

import (
	"context"
	"slices"
	"time"
)

// NoticeKeep is how long the notices written by Forget stay in the stream: long enough for
// every instance's notice reader to deliver them (the desks drop the conversation), then
// the sweep deletes them.
const NoticeKeep = time.Minute

// Forgotten is what Forget removed from the routing, counted for a proof of erasure.
type Forgotten struct {
	Tasks   int64 // task records
	Notices int64 // notices deleted from the stream now (those Forget writes go after NoticeKeep)
}

// Forget erases a conversation from the routing, for its person's erasure: its live task
// ends (a waiting task leaves the queue, an offer is withdrawn, an agent's slot is freed,
// with the usual notices), every task record the conversation had is deleted with its
// entries in the queue, the offers, the waiting indexes and its agent's tasks, and the
// notices naming the conversation are deleted from the stream (those written by this very
// step after NoticeKeep, by the sweep). Forgetting a conversation the routing never had, or
// twice, does nothing.
func (r *Router) Forget(ctx context.Context, conversationID string) (Forgotten, []Notice, error) {
	keys := []string{r.prefix + "conv:" + conversationID, r.convTasksKey(conversationID), r.prefix + "forgotten"}
	res, err := r.run(ctx, forgetScript, keys, conversationID, NoticeKeep.Milliseconds())
	if err != nil {
		return Forgotten{}, res.notices, err
	}
	f := Forgotten{Tasks: int64(atoi(res.detail, 0))}
	own := map[string]bool{}
	for _, n := range res.notices {
		own[n.ID] = true
	}
	f.Notices, err = r.dropNotices(ctx, conversationID, own)
	return f, res.notices, err
}

// TasksOfConversation returns every task record a conversation still has (live, or ended
// until it expires), oldest first: what the routing holds about it, for its person's export.
func (r *Router) TasksOfConversation(ctx context.Context, conversationID string) ([]Task, error) {
	ids, err := r.st.Client.SMembers(ctx, r.convTasksKey(conversationID)).Result()
	if err != nil {
		return nil, unavailable(err)
	}
	byID, err := r.Tasks(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Task, 0, len(byID))
	for _, t := range byID {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b Task) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

// convTasksKey is the set of every task of a conversation (scripts/enqueue.lua).
func (r *Router) convTasksKey(conversationID string) string {
	return r.prefix + "conv:" + conversationID + ":tasks"
}

// noticePage is how many notices dropNotices reads at once.
const noticePage = 1000

// dropNotices deletes from the notice stream the entries naming the conversation, except
// those in keep, and waits for the replicas like the routing's writes.
func (r *Router) dropNotices(ctx context.Context, conversationID string, keep map[string]bool) (int64, error) {
	stream := r.prefix + "notices"
	conn, err := r.st.Conn(ctx, stream)
	if err != nil {
		return 0, unavailable(err)
	}
	defer conn.Close()
	var dropped int64
	for start := "-"; ; {
		msgs, err := conn.XRangeN(ctx, stream, start, "+", noticePage).Result()
		if err != nil {
			return dropped, unavailable(err)
		}
		var ids []string
		for _, m := range msgs {
			if c, _ := m.Values["c"].(string); c == conversationID && !keep[m.ID] {
				ids = append(ids, m.ID)
			}
		}
		if len(ids) > 0 {
			n, err := conn.XDel(ctx, stream, ids...).Result()
			if err != nil {
				return dropped, unavailable(err)
			}
			dropped += n
		}
		if len(msgs) < noticePage {
			break
		}
		start = "(" + msgs[len(msgs)-1].ID
	}
	if err := r.opts.Replicas.Wait(ctx, conn); err != nil {
		return dropped, unavailable(err)
	}
	return dropped, nil
}
