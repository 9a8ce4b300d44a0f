package conversation

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/apperr"
)

// ErrOwnerChanged is returned by Append when the conversation no longer has the required
// owner (an agent took it over while the bot was answering, or it was closed).
var ErrOwnerChanged = apperr.New(apperr.Conflict, "La conversation a changé de main entre-temps.")

// AppendOptions make an Append conditional or give it side effects, all atomic with it.
type AppendOptions struct {
	IfOwner      Owner  // append only while the conversation has this owner ("": any)
	SetOwner     Owner  // then give it to this owner ("": keep)
	Field, Value string // then set this metadata field ("": none), e.g. the handoff
}

// Append adds events to conversation id in one atomic step and returns them with Seq (and At,
// when it was zero) set. With IfOwner and another owner, it appends nothing and returns
// ErrOwnerChanged.
func (s *Store) Append(ctx context.Context, id string, events []Event, o AppendOptions) ([]Event, error) {
	args := make([]any, 0, 10+len(events))
	args = append(args, string(o.IfOwner), string(o.SetOwner), seconds(s.opts.TTL),
		s.channel(id), o.Field, o.Value)
	tag := newTag()
	ending, closing := s.endingEvents()
	args = append(args, tag, s.maxEvents(), ending, closing)
	out, args, err := s.encode(events, args)
	if err != nil {
		return nil, err
	}
	keys := append([]string{s.metaKey(id), s.streamKey(id)}, s.keptKeys(id)...)
	var stored []Event
	done := s.appending(id)
	defer func() { done(stored) }()
	res, err := s.st.RunScript(ctx, s.opts.Replicas, appendScript, keys, args...)
	if err != nil && res == nil {
		return nil, unavailable(err)
	}
	switch res[0] {
	case "not_found":
		return nil, errNotFound
	case "owner":
		return nil, ErrOwnerChanged
	case "full":
		return nil, ErrFull
	}
	numbered(out, toInt(res[1]), tag)
	stored = out
	if err != nil { // stored on the master, not confirmed by the replicas
		return nil, unavailable(err)
	}
	return out, nil
}

// encode appends the JSON of events to args and returns the events as they will be stored:
// At set when it was zero, Seq and ID cleared (the script gives them).
func (s *Store) encode(events []Event, args []any) ([]Event, []any, error) {
	now := s.now().UTC()
	out := make([]Event, len(events))
	for i, ev := range events {
		if ev.At.IsZero() {
			ev.At = now
		}
		ev.Seq, ev.ID = 0, ""
		data, err := json.Marshal(ev)
		if err != nil {
			return nil, nil, err
		}
		out[i] = ev
		args = append(args, data)
	}
	return out, args, nil
}

// numbered gives events their Seq and ID from first on.
func numbered(events []Event, first int64, tag string) {
	for i := range events {
		events[i].Seq = first + int64(i)
		events[i].ID = entryID(events[i].Seq, tag)
	}
}

func decodeEntry(m redis.XMessage) (Event, error) {
	var ev Event
	n, _, _ := strings.Cut(m.ID, "-")
	seq, err := strconv.ParseInt(n, 10, 64)
	if err != nil {
		return ev, fmt.Errorf("conversation: identifiant d'entrée %q invalide", m.ID)
	}
	data, _ := m.Values["e"].(string)
	if err := json.Unmarshal([]byte(data), &ev); err != nil {
		return ev, fmt.Errorf("conversation: événement %d illisible : %w", seq, err)
	}
	ev.Seq, ev.ID = seq, m.ID
	return ev, nil
}

func toInt(v any) int64 {
	n, _ := v.(int64)
	return n
}

func seconds(d time.Duration) int64 { return max(int64(d/time.Second), 1) }

// keptKeys are the keys kept as long as conversation id, whose lifetime each event renews
// with its own: its attachments and its agents' notes.
func (s *Store) keptKeys(id string) []string {
	return []string{s.filesKey(id), s.fileDataKey(id), s.notesKey(id)}
}
