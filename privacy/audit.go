package privacy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/store"
)

// DefaultAuditRetention is how long an audit entry is kept by default: one year.
const DefaultAuditRetention = 365 * 24 * time.Hour

// The actions the audit trail records: the operators' and customers' erasures and exports,
// and the agents' actions on personal data in the desk.
const (
	ActionErase  = "erase"
	ActionExport = "export"

	ActionRead   = "read"   // an agent read a record or a transcript
	ActionSearch = "search" // an agent searched customers (the terms are not kept)
	ActionCreate = "create" // an agent created a customer or a request
	ActionEdit   = "edit"   // an agent changed a customer, a request or an activity's tags
	ActionLink   = "link"   // an agent linked an interaction to a customer
	ActionNote   = "note"   // an agent wrote an internal note
	ActionAttach = "attach" // an agent sent a file in a conversation
	ActionLogin  = "login"  // an agent signed in
	ActionLogout = "logout" // an agent signed out
)

// The kinds of subject of a privacy action.
const (
	SubjectCustomer     = "customer"
	SubjectConversation = "conversation"
	SubjectRequest      = "request"
	SubjectActivity     = "activity" // an activity, a left message among them
	SubjectAgent        = "agent"    // the agent themselves (login, logout)
)

// Entry is one line of the audit trail. It holds no personal data of the subject: only the
// kind of subject and a hash of its id.
type Entry struct {
	ID          string           `json:"id"` // the stream entry's id
	At          time.Time        `json:"at"`
	Action      string           `json:"action"`       // erase, export, or an agent's action (Action…)
	By          string           `json:"by"`           // the operator, the agent's login, or « client »
	From        string           `json:"from"`         // where from: cli@host, an agent's address, widget
	Subject     string           `json:"subject"`      // customer, conversation, request, activity, agent
	SubjectHash string           `json:"subject_hash"` // SubjectHash(subject, id)
	Counts      map[string]int64 `json:"counts"`       // records by kind: erased, or exported
}

// SubjectHash is how the audit trail names a person: a hash of the kind and id of the
// subject. Whoever knows an id can find its entries again (relais audit --customer ID); the
// trail alone does not give the id back.
func SubjectHash(kind, id string) string {
	sum := sha256.Sum256([]byte("relais-privacy:" + kind + ":" + id))
	return hex.EncodeToString(sum[:16])
}

// Audit is the audit trail of privacy actions in Redis: an append-only stream whose entries
// older than the retention are trimmed at each new entry.
type Audit struct {
	st        *store.Store
	retention time.Duration
	now       func() time.Time
}

// NewAudit returns the audit trail on st; retention ≤ 0 takes DefaultAuditRetention, now nil
// time.Now.
func NewAudit(st *store.Store, retention time.Duration, now func() time.Time) *Audit {
	if retention <= 0 {
		retention = DefaultAuditRetention
	}
	if now == nil {
		now = time.Now
	}
	return &Audit{st: st, retention: retention, now: now}
}

// Key is the audit trail's stream.
func (a *Audit) Key() string { return a.st.Key("audit", "privacy") }

// Record appends e (its ID and At set here) and trims the entries past the retention.
func (a *Audit) Record(ctx context.Context, e Entry) (Entry, error) {
	e.At = a.now().UTC()
	counts, err := json.Marshal(e.Counts)
	if err != nil {
		return Entry{}, err
	}
	args := &redis.XAddArgs{
		Stream: a.Key(),
		MinID:  strconv.FormatInt(e.At.Add(-a.retention).UnixMilli(), 10),
		ID:     strconv.FormatInt(e.At.UnixMilli(), 10) + "-*",
		Values: []any{"at", e.At.Format(time.RFC3339Nano), "action", e.Action, "by", e.By,
			"from", e.From, "subject", e.Subject, "subject_hash", e.SubjectHash, "counts", string(counts)},
	}
	id, err := a.st.Client.XAdd(ctx, args).Result()
	if err != nil && strings.Contains(err.Error(), "equal or smaller") {
		args.ID = "*" // the clock went back: the stream's order stays Redis's
		id, err = a.st.Client.XAdd(ctx, args).Result()
	}
	if err != nil {
		return Entry{}, err
	}
	e.ID = id
	return e, nil
}

// Entries returns the last limit entries (all with limit ≤ 0), oldest first.
func (a *Audit) Entries(ctx context.Context, limit int) ([]Entry, error) {
	var msgs []redis.XMessage
	var err error
	if limit > 0 {
		msgs, err = a.st.Client.XRevRangeN(ctx, a.Key(), "+", "-", int64(limit)).Result()
	} else {
		msgs, err = a.st.Client.XRevRange(ctx, a.Key(), "+", "-").Result()
	}
	if err != nil {
		return nil, unavailable(err)
	}
	out := make([]Entry, 0, len(msgs))
	for i := len(msgs) - 1; i >= 0; i-- {
		out = append(out, entryOf(msgs[i]))
	}
	return out, nil
}

// auditPage is how many entries EntriesOf reads at a time.
const auditPage = 500

// EntriesOf returns the last limit entries whose subject_hash is hash (all of them with
// limit ≤ 0), oldest first, reading the trail from its end: the entries of one person among
// every agent's reads and edits. A hash "" is Entries.
func (a *Audit) EntriesOf(ctx context.Context, hash string, limit int) ([]Entry, error) {
	if hash == "" {
		return a.Entries(ctx, limit)
	}
	var out []Entry
	end, seen := "+", ""
	for {
		msgs, err := a.st.Client.XRevRangeN(ctx, a.Key(), end, "-", auditPage).Result()
		if err != nil {
			return nil, unavailable(err)
		}
		for _, m := range msgs {
			if m.ID == seen {
				continue // the last entry of the page before, which this page starts with
			}
			if h, _ := m.Values["subject_hash"].(string); h == hash {
				out = append(out, entryOf(m))
				if limit > 0 && len(out) == limit {
					slices.Reverse(out)
					return out, nil
				}
			}
		}
		if len(msgs) < auditPage {
			break
		}
		end, seen = msgs[len(msgs)-1].ID, msgs[len(msgs)-1].ID
	}
	slices.Reverse(out)
	return out, nil
}

func entryOf(m redis.XMessage) Entry {
	s := func(k string) string { v, _ := m.Values[k].(string); return v }
	e := Entry{ID: m.ID, Action: s("action"), By: s("by"), From: s("from"), Subject: s("subject"),
		SubjectHash: s("subject_hash")}
	e.At, _ = time.Parse(time.RFC3339Nano, s("at"))
	json.Unmarshal([]byte(s("counts")), &e.Counts)
	return e
}
