package desk

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/relais/relais/apperr"
)

// Canned replies (réponses types): a library every agent shares, each a short name and a
// text the desk inserts in its reply box. A reply is a record like the others (id, version,
// If-Match on every change); names are unique ignoring case, accents and runs of spaces, as
// tags are (TagKey). Keys: <P>reply:<id> (hash), <P>replies (ids in creation order),
// <P>idx:reply (name key → id), all under the {desk} hash tag.

// The limits of the library.
const (
	MaxReplyName = 50  // a reply's name, in characters
	MaxReplies   = 500 // replies in the library
)

// Reply is one canned reply.
type Reply struct {
	ID        string `json:"id"`
	Version   int64  `json:"version"`
	Name      string `json:"name"`
	Text      string `json:"text"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
	UpdatedBy string `json:"updated_by"`
}

// ReplyFields are what an agent writes: the name and the text.
type ReplyFields struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

// Errors people read.
var (
	ErrReplyNotFound = apperr.New(apperr.NotFound, "Réponse type introuvable.")
	errDuplicateName = &apperr.Error{Code: apperr.Duplicate, Message: "Une réponse type porte déjà ce nom.",
		Fields: map[string]string{"name": "Une réponse type porte déjà ce nom."}}
	errTooManyReplies = apperr.Errorf(apperr.Conflict, "La bibliothèque a déjà %d réponses types : supprimez-en une avant d'en créer.", MaxReplies)
)

var (
	createReplyScript = scripts.AfterPrelude("create_reply")
	updateReplyScript = scripts.AfterPrelude("update_reply")
	deleteReplyScript = scripts.AfterPrelude("delete_reply")
	repliesScript     = scripts.AfterPrelude("replies")
)

// clean trims the fields and checks them all at once.
func (f *ReplyFields) clean() error {
	f.Name, f.Text = strings.TrimSpace(f.Name), strings.TrimSpace(f.Text)
	fe := fieldErrors{}
	if f.Name == "" {
		fe["name"] = "Le nom est obligatoire."
	}
	fe.tooLong("name", f.Name, MaxReplyName)
	if strings.ContainsFunc(f.Name, isControl) {
		fe["name"] = "Le nom ne peut pas contenir de caractères de contrôle."
	}
	if f.Text == "" {
		fe["text"] = "Le texte est obligatoire."
	}
	fe.tooLong("text", f.Text, MaxText)
	return fe.err()
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// Replies returns the library, sorted by name (ignoring case and accents).
func (d *Desk) Replies(ctx context.Context) ([]Reply, error) {
	r, err := d.run(ctx, repliesScript, "", "desk", []string{d.key("replies")})
	if err != nil {
		return nil, err
	}
	out := make([]Reply, 0, len(r.recs))
	for _, h := range r.recs {
		if len(h) > 0 {
			out = append(out, replyFromHash(h))
		}
	}
	slices.SortFunc(out, func(a, b Reply) int { return strings.Compare(TagKey(a.Name), TagKey(b.Name)) })
	return out, nil
}

// Reply returns one reply.
func (d *Desk) Reply(ctx context.Context, id string) (Reply, error) {
	if !validID(id) {
		return Reply{}, ErrReplyNotFound
	}
	h, err := d.hash(ctx, d.key("reply", id), ErrReplyNotFound)
	if err != nil {
		return Reply{}, err
	}
	return replyFromHash(h), nil
}

// CreateReply adds a reply to the library, by agent by.
func (d *Desk) CreateReply(ctx context.Context, f ReplyFields, by string) (Reply, error) {
	if err := f.clean(); err != nil {
		return Reply{}, err
	}
	id := newID()
	r, err := d.run(ctx, createReplyScript, by, "desk", []string{d.key("reply", id), d.key("replies"), d.key("idx", "reply")},
		id, f.Name, TagKey(f.Name), f.Text, MaxReplies)
	if err != nil {
		return Reply{}, err
	}
	return d.replyOf(r)
}

// UpdateReply replaces a reply's name and text if it is still at version.
func (d *Desk) UpdateReply(ctx context.Context, id string, version int64, f ReplyFields, by string) (Reply, error) {
	if !validID(id) {
		return Reply{}, ErrReplyNotFound
	}
	if err := f.clean(); err != nil {
		return Reply{}, err
	}
	r, err := d.run(ctx, updateReplyScript, by, "desk", []string{d.key("reply", id), d.key("idx", "reply")},
		id, strconv.FormatInt(version, 10), f.Name, TagKey(f.Name), f.Text)
	if err != nil {
		return Reply{}, err
	}
	return d.replyOf(r)
}

// DeleteReply deletes a reply if it is still at version.
func (d *Desk) DeleteReply(ctx context.Context, id string, version int64, by string) error {
	if !validID(id) {
		return ErrReplyNotFound
	}
	r, err := d.run(ctx, deleteReplyScript, by, "desk", []string{d.key("reply", id), d.key("replies"), d.key("idx", "reply")},
		id, strconv.FormatInt(version, 10))
	if err != nil {
		return err
	}
	_, err = d.replyOf(r)
	return err
}

// replyOf reads a reply script's answer.
func (d *Desk) replyOf(r reply) (Reply, error) {
	switch r.status {
	case "duplicate_reply":
		return Reply{}, errDuplicateName
	case "too_many_replies":
		return Reply{}, errTooManyReplies
	}
	if err := r.refusal(ErrReplyNotFound, func(h map[string]string) any { return replyFromHash(h) }); err != nil {
		return Reply{}, err
	}
	return replyFromHash(r.rec(0)), nil
}

func replyFromHash(h map[string]string) Reply {
	return Reply{ID: h["id"], Version: version(h), Name: h["name"], Text: h["text"],
		CreatedAt: h["created_at"], UpdatedAt: h["updated_at"], UpdatedBy: h["updated_by"]}
}
