package privacy

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/dialog"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/store"
)

// Options configure a Service. Zero values take the defaults.
type Options struct {
	AuditRetention time.Duration    // DefaultAuditRetention
	Now            func() time.Time // time.Now
	// Router is the routing whose tasks of an erased conversation go too (nil: a router on
	// the store with the default options).
	Router *handoff.Router
}

// Service erases and exports one person's data and records it in the audit trail.
type Service struct {
	st       *store.Store
	desk     *desk.Desk
	convs    *conversation.Store
	sessions *dialog.RedisSessions
	router   *handoff.Router
	Audit    *Audit
	now      func() time.Time
}

// New returns the Service on st.
func New(st *store.Store, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Router == nil {
		opts.Router = handoff.NewRouter(st, handoff.Options{Now: opts.Now})
	}
	return &Service{st: st, desk: desk.New(st, opts.Now), router: opts.Router,
		convs:    conversation.NewStore(st, conversation.Options{}),
		sessions: &dialog.RedisSessions{Store: st},
		Audit:    NewAudit(st, opts.AuditRetention, opts.Now), now: opts.Now}
}

// Subject names the person of a request: exactly one field set.
type Subject struct {
	CustomerID     string
	Email          string // the customer with this e-mail (unique)
	Phone          string // the one customer with this phone
	ConversationID string // an anonymous conversation
}

// Actor is who asks, for the audit trail.
type Actor struct {
	By   string // the operator's name
	From string // where from: cli@host
}

// Errors people read.
var (
	ErrNoSubject    = apperr.New(apperr.Invalid, "Indiquez une seule personne : --customer, --email, --phone ou --conversation.")
	ErrNoCustomer   = apperr.New(apperr.NotFound, "Aucun client ne correspond.")
	errInvalidConv  = apperr.New(apperr.NotFound, "Identifiant de conversation invalide.")
	errSharedPhone  = "Plusieurs clients ont ce numéro de téléphone (%s) : choisissez-en un avec --customer."
	errUnknownActor = apperr.New(apperr.Invalid, "Indiquez qui fait la demande (--by).")
)

// resolve turns a subject into its kind and id.
func (s *Service) resolve(ctx context.Context, sub Subject) (kind, id string, err error) {
	set := 0
	for _, v := range []string{sub.CustomerID, sub.Email, sub.Phone, sub.ConversationID} {
		if strings.TrimSpace(v) != "" {
			set++
		}
	}
	if set != 1 {
		return "", "", ErrNoSubject
	}
	switch {
	case sub.CustomerID != "":
		return SubjectCustomer, strings.TrimSpace(sub.CustomerID), nil
	case sub.ConversationID != "":
		if !conversation.ValidID(sub.ConversationID) {
			return "", "", errInvalidConv
		}
		return SubjectConversation, sub.ConversationID, nil
	}
	found, err := s.desk.SearchCustomers(ctx, desk.Search{Email: sub.Email, Phone: sub.Phone})
	switch {
	case err != nil:
		return "", "", err
	case len(found) == 0:
		return "", "", ErrNoCustomer
	case len(found) > 1:
		ids := make([]string, len(found))
		for i, c := range found {
			ids[i] = c.ID
		}
		return "", "", apperr.Errorf(apperr.Conflict, errSharedPhone, strings.Join(ids, ", "))
	}
	return SubjectCustomer, found[0].ID, nil
}

// conversationsOf returns the conversations of a subject.
func (s *Service) conversationsOf(ctx context.Context, kind, id string) ([]string, error) {
	if kind == SubjectConversation {
		return []string{id}, nil
	}
	return s.desk.ConversationsOf(ctx, id)
}

// Report is what an erasure or an export did, as the audit trail keeps it.
type Report = Entry

// Erase deletes everything held about the subject: each of their conversations (its routing
// tasks first — a live one ends and its agent is told —, then every key of the conversation
// and the bot's session), then the desk's records (the customer, their requests, activities,
// tags and left messages, the activities of their conversations, and every index entry
// pointing at them), and records the proof in the audit trail. Erasing what is gone erases
// nothing and is recorded all the same (counts 0).
func (s *Service) Erase(ctx context.Context, sub Subject, by Actor) (Report, error) {
	if strings.TrimSpace(by.By) == "" {
		return Report{}, errUnknownActor
	}
	kind, id, err := s.resolve(ctx, sub)
	if err != nil {
		return Report{}, err
	}
	convs, err := s.conversationsOf(ctx, kind, id)
	if err != nil {
		return Report{}, err
	}
	counts := map[string]int64{"conversations": 0, "events": 0, "notes": 0, "attachments": 0, "bot_sessions": 0,
		"tasks": 0, "notices": 0}
	for _, c := range convs {
		f, _, err := s.router.Forget(ctx, c)
		if err != nil {
			return Report{}, err
		}
		counts["tasks"] += f.Tasks
		counts["notices"] += f.Notices
		e, err := s.convs.Delete(ctx, c)
		if err != nil {
			return Report{}, err
		}
		if e.Keys > 0 {
			counts["conversations"]++
		}
		counts["events"] += e.Events
		counts["notes"] += e.Notes
		counts["attachments"] += e.Files
		n, err := s.st.Client.Del(ctx, s.sessions.Key(c)).Result()
		if err != nil {
			return Report{}, unavailable(err)
		}
		counts["bot_sessions"] += n
	}
	customer := ""
	if kind == SubjectCustomer {
		customer = id
	}
	erased, err := s.desk.Erase(ctx, customer, convs, by.By)
	if err != nil {
		return Report{}, err
	}
	for k, v := range erased {
		counts[k] = v
	}
	return s.record(ctx, ActionErase, kind, id, by, counts)
}

func (s *Service) record(ctx context.Context, action, kind, id string, by Actor, counts map[string]int64) (Report, error) {
	e, err := s.Audit.Record(ctx, Entry{Action: action, By: by.By, From: by.From, Subject: kind,
		SubjectHash: SubjectHash(kind, id), Counts: counts})
	if err != nil {
		return Report{}, unavailable(err)
	}
	return e, nil
}

// ExportFormat names the version of the export's document (docs/privacy.md).
const ExportFormat = "relais-privacy-export/1"

// Export is everything held about one person, as docs/privacy.md describes it.
type Export struct {
	Format     string    `json:"format"`
	ExportedAt time.Time `json:"exported_at"`
	Subject    struct {
		Kind string `json:"kind"` // customer, conversation
		ID   string `json:"id"`
	} `json:"subject"`
	Customer        *desk.Customer        `json:"customer"`         // null for a conversation or an unknown customer
	Requests        []desk.JourneyRequest `json:"requests"`         // the customer's, newest first, each with its activities
	OtherActivities []desk.Activity       `json:"other_activities"` // of their conversations, filed outside their requests
	Conversations   []ConversationExport  `json:"conversations"`
}

// ConversationExport is one conversation of the person.
type ConversationExport struct {
	ID     string               `json:"id"`
	Found  bool                 `json:"found"` // false: already expired or erased
	Events []conversation.Event `json:"events"`
	Notes  []conversation.Note  `json:"notes"`
	// Attachments describe its files (name, type, size), by id; the export's ZIP
	// (WriteArchive) holds their content.
	Attachments []ExportedAttachment `json:"attachments"`
	BotSession  json.RawMessage      `json:"bot_session"` // the bot's memory (slots…), null when none
	// RoutingTasks are its handoffs to agents still on record (live, or ended until they
	// expire), oldest first.
	RoutingTasks []handoff.Task `json:"routing_tasks"`
}

// ExportedAttachment describes one file of a conversation in an export. File names its
// entry in the export's ZIP: empty in the JSON document alone, and for a file gone between
// the reading of the document and its own.
type ExportedAttachment struct {
	conversation.Attachment
	File string `json:"file,omitempty"`
}

// Export gathers everything held about the subject and records the export in the audit
// trail (counts of what it holds, never its content).
func (s *Service) Export(ctx context.Context, sub Subject, by Actor) (Export, Report, error) {
	if strings.TrimSpace(by.By) == "" {
		return Export{}, Report{}, errUnknownActor
	}
	kind, id, err := s.resolve(ctx, sub)
	if err != nil {
		return Export{}, Report{}, err
	}
	x := Export{Format: ExportFormat, ExportedAt: s.now().UTC(), Requests: []desk.JourneyRequest{},
		OtherActivities: []desk.Activity{}, Conversations: []ConversationExport{}}
	x.Subject.Kind, x.Subject.ID = kind, id
	if kind == SubjectCustomer {
		j, err := s.desk.Journey(ctx, id)
		switch {
		case errors.Is(err, desk.ErrCustomerNotFound):
		case err != nil:
			return Export{}, Report{}, err
		default:
			x.Customer, x.Requests = &j.Customer, j.Requests
		}
	}
	convs, err := s.conversationsOf(ctx, kind, id)
	if err != nil {
		return Export{}, Report{}, err
	}
	if err := s.addConversations(ctx, &x, convs); err != nil {
		return Export{}, Report{}, err
	}
	rep, err := s.record(ctx, ActionExport, kind, id, by, x.counts())
	return x, rep, err
}

func (s *Service) addConversations(ctx context.Context, x *Export, convs []string) error {
	acts, err := s.desk.ActivitiesOfConversations(ctx, convs)
	if err != nil {
		return err
	}
	for _, a := range acts {
		if !x.hasActivity(a.ID) {
			x.OtherActivities = append(x.OtherActivities, a)
		}
	}
	for _, c := range convs {
		ce, err := s.conversation(ctx, c)
		if err != nil {
			return err
		}
		x.Conversations = append(x.Conversations, ce)
	}
	return nil
}

func (s *Service) conversation(ctx context.Context, id string) (ConversationExport, error) {
	ce := ConversationExport{ID: id, Events: []conversation.Event{}, Notes: []conversation.Note{},
		Attachments: []ExportedAttachment{}, RoutingTasks: []handoff.Task{}}
	tasks, err := s.router.TasksOfConversation(ctx, id)
	if err != nil {
		return ce, err
	}
	ce.RoutingTasks = append(ce.RoutingTasks, tasks...)
	if _, err := s.convs.Owner(ctx, id); apperr.CodeOf(err) == apperr.NotFound {
		return ce, nil
	} else if err != nil {
		return ce, err
	}
	ce.Found = true
	if ce.Events, err = s.convs.Events(ctx, id, 0, 0); err != nil {
		return ce, err
	}
	notes, err := s.convs.Notes(ctx, id)
	if err != nil && apperr.CodeOf(err) != apperr.NotFound {
		return ce, err
	}
	ce.Notes = append(ce.Notes, notes...)
	files, err := s.convs.Attachments(ctx, id)
	if err != nil {
		return ce, err
	}
	slices.SortFunc(files, func(a, b conversation.Attachment) int { return strings.Compare(a.ID, b.ID) })
	for _, f := range files {
		ce.Attachments = append(ce.Attachments, ExportedAttachment{Attachment: f})
	}
	data, err := s.st.Client.Get(ctx, s.sessions.Key(id)).Bytes()
	if err != nil && !errors.Is(err, redis.Nil) {
		return ce, unavailable(err)
	}
	if json.Valid(data) {
		ce.BotSession = data
	}
	return ce, nil
}

func (x *Export) hasActivity(id string) bool {
	for _, r := range x.Requests {
		if slices.ContainsFunc(r.Activities, func(a desk.Activity) bool { return a.ID == id }) {
			return true
		}
	}
	return false
}

// counts are the records an export holds, by kind, for the audit trail.
func (x *Export) counts() map[string]int64 {
	c := map[string]int64{"customers": 0, "requests": int64(len(x.Requests)),
		"activities": int64(len(x.OtherActivities)), "conversations": 0, "events": 0, "notes": 0, "attachments": 0, "tasks": 0}
	if x.Customer != nil {
		c["customers"] = 1
	}
	for _, r := range x.Requests {
		c["activities"] += int64(len(r.Activities))
	}
	for _, ce := range x.Conversations {
		if ce.Found {
			c["conversations"]++
		}
		c["events"] += int64(len(ce.Events))
		c["notes"] += int64(len(ce.Notes))
		c["attachments"] += int64(len(ce.Attachments))
		c["tasks"] += int64(len(ce.RoutingTasks))
	}
	return c
}

// unavailable is a failed call to Redis as people read it (store.Unavailable).
func unavailable(err error) error { return store.Unavailable(err) }
