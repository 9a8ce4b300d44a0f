package desk

import (
	"cmp"
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/apperr"
)

// Activity returns an activity by id.
func (d *Desk) Activity(ctx context.Context, id string) (Activity, error) {
	if !validID(id) {
		return Activity{}, ErrActivityNotFound
	}
	_, h, err := d.record(ctx, "activity", id, ErrActivityNotFound)
	if err != nil {
		return Activity{}, err
	}
	return activityFromHash(h), nil
}

// record reads request or activity id (kind) where its locator says, following a move in
// progress to the customer's home once the copy is there; it answers the record's home.
func (d *Desk) record(ctx context.Context, kind, id string, notFound error) (string, map[string]string, error) {
	home, err := d.locate(ctx, id)
	if err != nil || home == "" {
		return "", nil, cmp.Or(err, notFound)
	}
	h, err := d.hash(ctx, d.hkey(home, kind, id), notFound)
	if err != nil {
		return "", nil, err
	}
	if to := h["moved_to"]; to != "" {
		there, err := d.st.Client.HGetAll(ctx, d.hkey(customerHome(to), kind, id)).Result()
		if err == nil && len(there) > 0 {
			return customerHome(to), there, nil
		}
	}
	return home, h, nil
}

// AddTag adds a tag to activity id, if it is still at version. The same tag ignoring case
// and accents is refused with ErrDuplicateTag.
func (d *Desk) AddTag(ctx context.Context, id string, version int64, tag, by string) (Activity, error) {
	tag, key, err := cleanTag(tag)
	if err != nil {
		return Activity{}, err
	}
	return d.tagWrite(ctx, addTagScript, id, version, by, tag, key, MaxTags)
}

// RemoveTag removes the tag of activity id that matches tag ignoring case and accents (see
// TagKey), or spelt exactly as tag (a tag filed under an older TagKey), if the activity is
// still at version.
func (d *Desk) RemoveTag(ctx context.Context, id string, version int64, tag, by string) (Activity, error) {
	return d.tagWrite(ctx, removeTagScript, id, version, by, TagKey(tag), strings.TrimSpace(tag))
}

func (d *Desk) tagWrite(ctx context.Context, s *redis.Script, id string, version int64, by string, args ...any) (Activity, error) {
	if !validID(id) {
		return Activity{}, ErrActivityNotFound
	}
	var r reply
	err := d.retryMoved(ctx, id, func(home string) error {
		var err error
		r, err = d.run(ctx, s, by, home, []string{d.hkey(home, "activity", id)},
			append([]any{id, strconv.FormatInt(version, 10)}, args...)...)
		if err != nil {
			return err
		}
		return r.refusal(ErrActivityNotFound, func(h map[string]string) any { return activityFromHash(h) })
	})
	if err != nil {
		return Activity{}, err
	}
	return activityFromHash(r.rec(0)), nil
}

// retryMoved runs write in the home of record id (a request or an activity); when it meets
// the record being moved to a customer's home, it finishes the move and writes there.
func (d *Desk) retryMoved(ctx context.Context, id string, write func(home string) error) error {
	for range 3 {
		home, err := d.locate(ctx, id)
		if err != nil {
			return err
		}
		if home == "" {
			home = requestHome(id) // no such record: the script answers not found
		}
		if err = write(home); !errors.Is(err, errMoved) {
			return err
		}
		if err := d.finishMove(ctx, home, id); err != nil {
			return err
		}
	}
	return unavailable(errMoved)
}

// Taken is an interaction an agent takes: the task and what the bot learned.
type Taken struct {
	TaskID         string
	ConversationID string
	CustomerID     string // "" when unknown
	AgentID        string
	AgentName      string
	Intent         string
	Summary        string
}

// Attach files the interaction an agent accepted or picked: a chat activity added to the
// customer's most recent open request, or to a new request (« Nouvelle demande ») when none
// is open or the customer is unknown. Attaching a task again returns its activity (with the
// agent updated), so a retry, a reconnection or a transfer never makes a second one: the
// task's key is claimed (SET NX) for the new activity before it is written.
func (d *Desk) Attach(ctx context.Context, t Taken) (Interaction, error) {
	for range 100 {
		aid, err := d.readPointer(ctx, d.taskKey(t.TaskID))
		if err != nil {
			return Interaction{}, err
		}
		if aid == "" {
			in, claimed, err := d.attachNew(ctx, t)
			if claimed || err != nil {
				return in, err
			}
			continue
		}
		in, err := d.attachExisting(ctx, t, aid)
		if !errors.Is(err, ErrNoInteraction) {
			return in, err
		}
		time.Sleep(10 * time.Millisecond) // claimed by another attach still writing it
	}
	return Interaction{}, unavailable(errors.New("desk: tâche réservée sans activité"))
}

// attachNew claims the task for a new activity and files it; claimed is false when another
// attach claimed the task first.
func (d *Desk) attachNew(ctx context.Context, t Taken) (Interaction, bool, error) {
	reqID, actID := newID(), newID()
	seq, err := d.seqs(ctx, 2)
	if err != nil {
		return Interaction{}, false, err
	}
	cu := t.CustomerID
	for {
		home := d.homeFor(ctx, cu, reqID)
		if home == requestHome(reqID) {
			cu = ""
		}
		if err := d.setLocators(ctx, home, actID, reqID); err != nil {
			return Interaction{}, false, err
		}
		p := pointer{activity: actID, end: d.indexEnd()}
		var ok bool
		err := d.write(ctx, d.taskKey(t.TaskID), func(c redis.Cmdable) (err error) {
			ok, err = c.SetNX(ctx, d.taskKey(t.TaskID), p.value(), d.indexTTL).Result()
			return err
		})
		if err != nil {
			return Interaction{}, false, err
		}
		if !ok {
			d.del(ctx, d.locatorKey(actID))
			d.del(ctx, d.locatorKey(reqID))
			return Interaction{}, false, nil
		}
		r, err := d.run(ctx, attachScript, t.AgentID, home, []string{d.hkey(home, "activity", actID),
			d.hkey(home, "request", reqID)}, t.TaskID, t.ConversationID, cu, t.AgentID, t.AgentName,
			t.Intent, t.Summary, reqID, actID, DefaultTitle, seq, seq+1)
		if err == nil && r.status == "customer_not_found" && cu != "" {
			cu = "" // erased meanwhile: file it without a customer
			d.del(ctx, d.taskKey(t.TaskID))
			continue
		}
		in, err := interactionOf(r, err)
		if err != nil {
			d.del(ctx, d.taskKey(t.TaskID))
			return Interaction{}, true, err
		}
		if in.Request.ID != reqID {
			d.del(ctx, d.locatorKey(reqID))
		}
		return in, true, d.keepPointer(ctx, d.convLatestKey(t.ConversationID), actID)
	}
}

// homeFor is the home of a new record of customer cu: theirs when they exist, otherwise the
// home of request reqID.
func (d *Desk) homeFor(ctx context.Context, cu, reqID string) string {
	if cu != "" && validID(cu) {
		if n, err := d.st.Client.Exists(ctx, d.hkey(customerHome(cu), "customer")).Result(); err == nil && n == 1 {
			return customerHome(cu)
		}
	}
	return requestHome(reqID)
}

// attachExisting gives the task's activity aid to t's agent; ErrNoInteraction while the
// attach that claimed the task has not written it yet.
func (d *Desk) attachExisting(ctx context.Context, t Taken, aid string) (Interaction, error) {
	var r reply
	err := d.retryMoved(ctx, aid, func(home string) error {
		var err error
		r, err = d.run(ctx, changeAgentScript, t.AgentID, home, []string{d.hkey(home, "activity", aid)},
			aid, t.AgentID, t.AgentName)
		if err != nil {
			return err
		}
		return r.refusal(ErrNoInteraction, nil)
	})
	if err != nil {
		return Interaction{}, err
	}
	in := r.interaction()
	return in, d.keepInteraction(ctx, in)
}

// keepInteraction renews the task's and the conversation's keys of an interaction that
// changed (the conversation's only while it still points at it).
func (d *Desk) keepInteraction(ctx context.Context, in Interaction) error {
	a := in.Activity
	if a.TaskID != "" {
		if err := d.keepPointer(ctx, d.taskKey(a.TaskID), a.ID); err != nil {
			return err
		}
	}
	if cur, err := d.readPointer(ctx, d.convLatestKey(a.ConversationID)); err != nil || cur != a.ID {
		return err
	}
	return d.keepPointer(ctx, d.convLatestKey(a.ConversationID), a.ID)
}

// Link links the interaction of conversation convID (its latest activity) to a customer:
// its request moves to the customer when they have no open request, otherwise the activity
// moves to their most recent open request and its emptied request is deleted. The
// conversation is the customer's for ttl (its next tasks carry the customer).
func (d *Desk) Link(ctx context.Context, convID, customerID string, ttl time.Duration, by string) (Interaction, error) {
	if !validID(customerID) {
		return Interaction{}, ErrCustomerNotFound
	}
	aid, err := d.readPointer(ctx, d.convLatestKey(convID))
	if err != nil {
		return Interaction{}, err
	}
	if aid == "" {
		return Interaction{}, ErrNoInteraction
	}
	in, err := d.link(ctx, aid, customerID, by)
	if err != nil {
		return Interaction{}, err
	}
	return in, d.SetConversationCustomer(ctx, convID, customerID, ttl)
}

// EndActivity records that the task's interaction ended (close, hand back), once.
func (d *Desk) EndActivity(ctx context.Context, taskID, by string) (Interaction, error) {
	return d.taskWrite(ctx, taskID, func(home, aid string) (reply, error) {
		return d.run(ctx, endScript, by, home, []string{d.hkey(home, "activity", aid)}, aid)
	})
}

// ResumeActivity clears the end of the task's activity: its agent reopened the conversation.
func (d *Desk) ResumeActivity(ctx context.Context, taskID, by string) (Interaction, error) {
	return d.taskWrite(ctx, taskID, func(home, aid string) (reply, error) {
		return d.run(ctx, resumeScript, by, home, []string{d.hkey(home, "activity", aid)}, aid)
	})
}

// ChangeAgent gives the task's activity to another agent (a transfer).
func (d *Desk) ChangeAgent(ctx context.Context, taskID, agentID, agentName, by string) (Interaction, error) {
	return d.taskWrite(ctx, taskID, func(home, aid string) (reply, error) {
		return d.run(ctx, changeAgentScript, by, home, []string{d.hkey(home, "activity", aid)}, aid, agentID, agentName)
	})
}

// taskWrite runs write on the activity of task taskID and renews its keys.
func (d *Desk) taskWrite(ctx context.Context, taskID string, write func(home, aid string) (reply, error)) (Interaction, error) {
	aid, err := d.readPointer(ctx, d.taskKey(taskID))
	if err != nil {
		return Interaction{}, err
	}
	if aid == "" {
		return Interaction{}, ErrNoInteraction
	}
	var r reply
	err = d.retryMoved(ctx, aid, func(home string) error {
		var err error
		if r, err = write(home, aid); err != nil {
			return err
		}
		return r.refusal(ErrNoInteraction, nil)
	})
	if err != nil {
		return Interaction{}, err
	}
	in := r.interaction()
	return in, d.keepInteraction(ctx, in)
}

// LeftMessage is a message a customer left when no agent was available.
type LeftMessage struct {
	ConversationID string
	TaskID         string // the cancelled task, "" when there was none
	CustomerID     string // "" when unknown
	Intent         string
	Summary        string
	Message        string
	Contact        string // the e-mail or phone an anonymous customer gave (CheckContact)
}

// LeaveMessage files a left message: a new request « Message laissé par le client » with a
// message activity holding the text. Its entry in the index of left messages is written
// first (readers check it against the record).
func (d *Desk) LeaveMessage(ctx context.Context, m LeftMessage) (Interaction, error) {
	text, err := checkMessage(m.Message)
	if err != nil {
		return Interaction{}, err
	}
	reqID, actID := newID(), newID()
	seq, err := d.seqs(ctx, 2)
	if err != nil {
		return Interaction{}, err
	}
	err = d.write(ctx, d.key("messages"), func(c redis.Cmdable) error {
		return c.ZAdd(ctx, d.key("messages"), redis.Z{Score: float64(seq + 1), Member: actID}).Err()
	})
	if err != nil {
		return Interaction{}, err
	}
	cu := m.CustomerID
	for {
		home := d.homeFor(ctx, cu, reqID)
		if home == requestHome(reqID) {
			cu = ""
		}
		if err := d.setLocators(ctx, home, actID, reqID); err != nil {
			return Interaction{}, err
		}
		r, err := d.run(ctx, leaveScript, "", home, []string{d.hkey(home, "request", reqID),
			d.hkey(home, "activity", actID)}, m.ConversationID, m.TaskID, cu, m.Intent,
			m.Summary, text, reqID, actID, LeftMessageTitle, m.Contact, seq, seq+1)
		if err == nil && r.status == "customer_not_found" && cu != "" {
			cu = ""
			continue
		}
		return interactionOf(r, err)
	}
}

// ErrNoContact refuses a message left by an anonymous customer without a way to answer them.
var ErrNoContact = apperr.InvalidFields(map[string]string{
	"contact": "Indiquez une adresse e-mail ou un numéro de téléphone : un conseiller vous répondra ainsi.",
})

// CheckContact checks the e-mail or phone number an anonymous customer leaves with a message
// and returns it trimmed; "" is refused with ErrNoContact.
func CheckContact(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", ErrNoContact
	case strings.Contains(s, "@"):
		if !looksLikeEmail(s) {
			return "", apperr.InvalidFields(map[string]string{"contact": "Adresse e-mail invalide."})
		}
	default:
		if d := phoneDigits(s); len(d) < minPhone || len(d) > maxPhone {
			return "", apperr.InvalidFields(map[string]string{"contact": "Indiquez une adresse e-mail, ou un numéro de téléphone de 6 à 20 chiffres."})
		}
	}
	return s, nil
}

// CheckMessage checks a message a customer wants to leave, as LeaveMessage will.
func CheckMessage(text string) error {
	_, err := checkMessage(text)
	return err
}

func interactionOf(r reply, err error) (Interaction, error) {
	if err != nil {
		return Interaction{}, err
	}
	if err := r.refusal(ErrNoInteraction, nil); err != nil {
		return Interaction{}, err
	}
	return r.interaction(), nil
}

// OfTask returns the interaction of a task, ErrNoInteraction when it has none yet.
func (d *Desk) OfTask(ctx context.Context, taskID string) (Interaction, error) {
	return d.interactionAt(ctx, d.taskKey(taskID))
}

// OfConversation returns the latest interaction of a conversation an agent took,
// ErrNoInteraction when there is none.
func (d *Desk) OfConversation(ctx context.Context, convID string) (Interaction, error) {
	return d.interactionAt(ctx, d.convLatestKey(convID))
}

func (d *Desk) interactionAt(ctx context.Context, key string) (Interaction, error) {
	aid, err := d.readPointer(ctx, key)
	if err != nil {
		return Interaction{}, err
	}
	if aid == "" {
		return Interaction{}, ErrNoInteraction
	}
	a, err := d.Activity(ctx, aid)
	if err != nil {
		return Interaction{}, err
	}
	return d.around(ctx, a)
}

// around is activity a's interaction: a with its request and its customer.
func (d *Desk) around(ctx context.Context, a Activity) (Interaction, error) {
	in := Interaction{Activity: a}
	var err error
	if in.Request, err = d.Request(ctx, a.RequestID); err != nil {
		return Interaction{}, err
	}
	if a.CustomerID != "" {
		c, err := d.Customer(ctx, a.CustomerID)
		if err != nil {
			return Interaction{}, err
		}
		in.Customer = &c
	}
	return in, nil
}
