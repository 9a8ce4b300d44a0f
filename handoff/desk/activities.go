package desk

import (
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
	h, err := d.hash(ctx, d.key("activity", id), ErrActivityNotFound)
	if err != nil {
		return Activity{}, err
	}
	return activityFromHash(h), nil
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
	r, err := d.run(ctx, s, by, []string{d.key("activity", id)},
		append([]any{id, strconv.FormatInt(version, 10)}, args...)...)
	if err != nil {
		return Activity{}, err
	}
	if err := r.refusal(ErrActivityNotFound, func(h map[string]string) any { return activityFromHash(h) }); err != nil {
		return Activity{}, err
	}
	return activityFromHash(r.rec(0)), nil
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
// agent updated), so a retry, a reconnection or a transfer never makes a second one.
func (d *Desk) Attach(ctx context.Context, t Taken) (Interaction, error) {
	reqID, actID := newID(), newID()
	keys := append(d.customerKeys(t.CustomerID), d.key("request", reqID),
		d.key("request", reqID, "activities"), d.key("activity", actID))
	r, err := d.run(ctx, attachScript, t.AgentID, keys, t.TaskID, t.ConversationID, t.CustomerID,
		t.AgentID, t.AgentName, t.Intent, t.Summary, reqID, actID, DefaultTitle,
		d.indexEnd(), d.now().Unix())
	return interactionOf(r, err)
}

// Link links the interaction of conversation convID (its latest activity) to a customer:
// its request moves to the customer when they have no open request, otherwise the activity
// moves to their most recent open request and its emptied request is deleted. The
// conversation is the customer's for ttl (its next tasks carry the customer).
func (d *Desk) Link(ctx context.Context, convID, customerID string, ttl time.Duration, by string) (Interaction, error) {
	if !validID(customerID) {
		return Interaction{}, ErrCustomerNotFound
	}
	keys := append([]string{d.key("conv", convID, "customer")}, d.customerKeys(customerID)...)
	r, err := d.run(ctx, linkScript, by, keys, convID, customerID, max(int64(ttl/time.Second), 1))
	return interactionOf(r, err)
}

// EndActivity records that the task's interaction ended (close, hand back), once.
func (d *Desk) EndActivity(ctx context.Context, taskID, by string) (Interaction, error) {
	r, err := d.run(ctx, endScript, by, nil, taskID, d.indexEnd())
	return interactionOf(r, err)
}

// ChangeAgent gives the task's activity to another agent (a transfer).
func (d *Desk) ChangeAgent(ctx context.Context, taskID, agentID, agentName, by string) (Interaction, error) {
	r, err := d.run(ctx, changeAgentScript, by, nil, taskID, agentID, agentName, d.indexEnd())
	return interactionOf(r, err)
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
// message activity holding the text.
func (d *Desk) LeaveMessage(ctx context.Context, m LeftMessage) (Interaction, error) {
	text, err := checkMessage(m.Message)
	if err != nil {
		return Interaction{}, err
	}
	reqID, actID := newID(), newID()
	keys := append(d.customerKeys(m.CustomerID), d.key("request", reqID),
		d.key("request", reqID, "activities"), d.key("activity", actID))
	r, err := d.run(ctx, leaveScript, "", keys, m.ConversationID, m.TaskID, m.CustomerID, m.Intent,
		m.Summary, text, reqID, actID, LeftMessageTitle, m.Contact)
	return interactionOf(r, err)
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
	return d.interactionAt(ctx, "task", taskID)
}

// OfConversation returns the latest interaction of a conversation an agent took,
// ErrNoInteraction when there is none.
func (d *Desk) OfConversation(ctx context.Context, convID string) (Interaction, error) {
	return d.interactionAt(ctx, "conv", convID)
}

func (d *Desk) interactionAt(ctx context.Context, index, id string) (Interaction, error) {
	aid, err := d.st.Client.HGet(ctx, d.key("idx", index), id).Result()
	if errors.Is(err, redis.Nil) {
		return Interaction{}, ErrNoInteraction
	}
	if err != nil {
		return Interaction{}, unavailable(err)
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
