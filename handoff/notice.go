package handoff

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// NoticeKind says what happened.
type NoticeKind string

// The kinds of notices. The server turns them into websocket messages: offered → offer,
// offer_* → offer_expired, assigned → assigned (and agent_joined for the customer), state →
// state, queue → queue (and queued events with positions for the customers).
const (
	NoticeQueued         NoticeKind = "queued"          // a task entered the queue
	NoticeOffered        NoticeKind = "offered"         // Task offered to Agent until Deadline
	NoticeOfferExpired   NoticeKind = "offer_expired"   // the Agent did not answer in time
	NoticeOfferRejected  NoticeKind = "offer_rejected"  // the Agent refused
	NoticeOfferWithdrawn NoticeKind = "offer_withdrawn" // the customer left, or the Agent became Non prêt or lost their desk
	NoticeAssigned       NoticeKind = "assigned"        // the Agent has the conversation
	NoticeTransferred    NoticeKind = "transferred"     // from Agent to To ("" = back to the queue)
	NoticeClosed         NoticeKind = "closed"          // the Agent ended the conversation
	NoticeHandedBack     NoticeKind = "handed_back"     // the Agent gave the conversation back to the bot
	NoticeCancelled      NoticeKind = "cancelled"       // the customer left; Agent is who had it, if anyone
	NoticeErased         NoticeKind = "erased"          // the conversation was erased (Forget); Agent is who had it, if anyone
	NoticeRequeued       NoticeKind = "requeued"        // the Agent's desk stayed away past the grace
	NoticeState          NoticeKind = "state"           // the Agent's state is now State
	NoticeAgentDropped   NoticeKind = "agent_dropped"   // the Agent's last socket went; grace until Deadline
	NoticeAgentBack      NoticeKind = "agent_back"      // the Agent reconnected within the grace
	NoticeQueue          NoticeKind = "queue"           // the queue changed: positions and estimates moved
	NoticeMessages       NoticeKind = "messages"        // the desk's left messages changed (Announce)
)

// Notice is one thing a transition did, for the sockets that must hear about it.
type Notice struct {
	ID             string     `json:"id"` // the notice stream's entry id, ordered
	Kind           NoticeKind `json:"kind"`
	TaskID         string     `json:"task_id,omitempty"`
	ConversationID string     `json:"conversation_id,omitempty"`
	AgentID        string     `json:"agent_id,omitempty"`
	Deadline       time.Time  `json:"deadline,omitzero"` // offered, agent_dropped
	State          AgentState `json:"state,omitempty"`   // state
	To             string     `json:"to,omitempty"`      // transferred: the new agent
	At             time.Time  `json:"at"`
	Task           *Task      `json:"-"` // offered, read from the stream: the task as offered
}

// newNotice decodes the fields a script wrote.
func newNotice(id, kind, task, conv, agent, extra, at string) Notice {
	n := Notice{ID: id, Kind: NoticeKind(kind), TaskID: task, ConversationID: conv, AgentID: agent, At: msTime(at)}
	if n.At.IsZero() {
		n.At = streamTime(id)
	}
	switch n.Kind {
	case NoticeOffered, NoticeAgentDropped:
		n.Deadline = msTime(extra)
	case NoticeState:
		n.State = AgentState(extra)
	case NoticeTransferred:
		n.To = extra
	}
	return n
}

// parseNotices reads the notices of a script run at now: per notice, id then five fields.
func parseNotices(flat []any, now int64) []Notice {
	at := strconv.FormatInt(now, 10)
	out := make([]Notice, 0, len(flat)/6)
	for i := 0; i+5 < len(flat); i += 6 {
		id := str(flat[i])
		out = append(out, newNotice(id, str(flat[i+1]), str(flat[i+2]), str(flat[i+3]),
			str(flat[i+4]), str(flat[i+5]), at))
	}
	return out
}

// streamTime reads the time of a stream entry id.
func streamTime(id string) time.Time {
	for i := 0; i < len(id); i++ {
		if id[i] == '-' {
			return msTime(id[:i])
		}
	}
	return time.Time{}
}

// NoticeCursor returns the id of the last notice written, to follow the stream from now on
// with Notices; "0-0" when there is none yet.
func (r *Router) NoticeCursor(ctx context.Context) (string, error) {
	msgs, err := r.st.Client.XRevRangeN(ctx, r.prefix+"notices", "+", "-", 1).Result()
	if err != nil {
		return "", unavailable(err)
	}
	if len(msgs) == 0 {
		return "0-0", nil
	}
	return msgs[0].ID, nil
}

// Notices returns the notices written after the cursor after, waiting up to block for one
// (block ≤ 0: no wait), and the cursor to pass next time. Every instance reads every notice;
// the notices an instance's own transitions returned come back here too (dedupe by ID).
func (r *Router) Notices(ctx context.Context, after string, block time.Duration) ([]Notice, string, error) {
	args := &redis.XReadArgs{Streams: []string{r.prefix + "notices", after}, Count: 500, Block: -1}
	if block > 0 {
		args.Block = block
	}
	streams, err := r.st.Client.XRead(ctx, args).Result()
	if errors.Is(err, redis.Nil) {
		return nil, after, nil
	}
	if err != nil {
		return nil, after, unavailable(err)
	}
	var out []Notice
	for _, s := range streams {
		for _, m := range s.Messages {
			out = append(out, noticeOf(m))
			after = m.ID
		}
	}
	return out, after, nil
}

// Follow hands deliver, in order, every notice written after the cursor from (NoticeCursor),
// until ctx ends; one read waits up to block for a new notice (short: a blocked read does not
// end with its context). A failure of Redis goes to onError, and the loop pauses a second and
// goes on. Every instance follows every notice.
func (r *Router) Follow(ctx context.Context, from string, block time.Duration, onError func(error), deliver func([]Notice)) {
	for ctx.Err() == nil {
		notices, next, err := r.Notices(ctx, from, block)
		if err != nil {
			if ctx.Err() == nil {
				onError(err)
				pause(ctx, time.Second)
			}
			continue
		}
		from = next
		if len(notices) > 0 {
			deliver(notices)
		}
	}
}

// Announce writes a notice that no routing transition makes, such as NoticeMessages, for
// every instance's readers (and the consumer group, which has nothing to apply for it).
func (r *Router) Announce(ctx context.Context, kind NoticeKind, conversationID string) error {
	at := strconv.FormatInt(r.opts.Now().UnixMilli(), 10)
	err := r.st.Client.XAdd(ctx, &redis.XAddArgs{Stream: r.prefix + "notices", MaxLen: r.opts.NoticeMaxLen, Approx: true,
		Values: []any{"k", string(kind), "t", "", "c", conversationID, "a", "", "x", "", "at", at}}).Err()
	if err != nil {
		return unavailable(err)
	}
	return nil
}

// parseMs reads a millisecond count, also in a float form some Lua engines write.
func parseMs(s string) (int64, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	return int64(f), err == nil
}
