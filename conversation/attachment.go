package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/relais/relais/apperr"
)

// Attachments: the files customers and agents send each other (images and PDF). A file is
// kept beside its conversation, under its hash tag, in two hashes (the descriptions and the
// contents), so that every server process reads it, that it expires with the conversation
// (each append renews them) and that Delete erases it with the rest. Its type is what its
// content says (SniffAttachment), never what its name or the sender claims. The transcript
// holds a TypeAttachment event with the Attachment (no content).

// Attachment describes one file of a conversation.
type Attachment struct {
	ID   string `json:"id"`
	Name string `json:"name"` // as the sender named it (cleaned: CleanName); customer text
	Type string `json:"type"` // the media type its content shows: one of AttachmentTypes
	Size int64  `json:"size"` // bytes
}

// AttachmentTypes are the media types a conversation accepts, as http.DetectContentType
// names them.
var AttachmentTypes = []string{"image/png", "image/jpeg", "image/webp", "image/gif", "application/pdf"}

// AttachmentQuota bounds the files of one conversation.
type AttachmentQuota struct {
	Files int   // at most this many files
	Bytes int64 // at most this many bytes in all
}

// MaxNameLength bounds an attachment's name, in characters.
const MaxNameLength = 120

// Errors of attachments; their codes are the API's (docs/customer-api.md).
var (
	ErrFileType = apperr.New(apperr.FileType,
		"Ce fichier n'est pas accepté : seules les images (PNG, JPEG, WebP, GIF) et les documents PDF peuvent être envoyés.")
	ErrEmptyFile          = apperr.New(apperr.Invalid, "Le fichier est vide.")
	errAttachmentNotFound = apperr.New(apperr.NotFound, "Pièce jointe introuvable.")
	errClosedAttachment   = apperr.New(apperr.Conflict, "La conversation est terminée : elle ne reçoit plus de fichiers.")
)

// SniffAttachment returns the media type data's first bytes show, or ErrFileType when it is
// none of AttachmentTypes (whatever the file's name or declared type).
func SniffAttachment(data []byte) (string, error) {
	if len(data) == 0 {
		return "", ErrEmptyFile
	}
	t, _, _ := strings.Cut(http.DetectContentType(data), ";")
	for _, ok := range AttachmentTypes {
		if t == ok {
			return t, nil
		}
	}
	return "", ErrFileType
}

// CleanName makes a sender's file name safe to keep and show: its last path element, without
// control and format characters (such as bidi overrides), trimmed and cut to MaxNameLength characters; "fichier" when nothing is
// left. It is still customer text: pages show it as text only.
func CleanName(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == unicode.ReplacementChar { // format characters: bidi overrides that disguise « gpj.exe »
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > MaxNameLength {
		name = string([]rune(name)[:MaxNameLength])
	}
	if name == "" || name == "." || name == "/" {
		return "fichier"
	}
	return name
}

func (s *Store) filesKey(id string) string    { return s.st.Key("conv", "{"+id+"}", "files") }
func (s *Store) fileDataKey(id string) string { return s.st.Key("conv", "{"+id+"}", "files", "data") }

// PutAttachment keeps data as a new attachment of conversation id, named name (cleaned
// here), its type sniffed from its content, within quota. It refuses a file of a type not
// accepted (ErrFileType), a closed conversation, and a file over the quota (QuotaExceeded).
// The caller then writes its event; if that fails, it calls RemoveAttachment.
func (s *Store) PutAttachment(ctx context.Context, id, name string, data []byte, quota AttachmentQuota) (Attachment, error) {
	if !ValidID(id) {
		return Attachment{}, errNotFound
	}
	typ, err := SniffAttachment(data)
	if err != nil {
		return Attachment{}, err
	}
	a := Attachment{ID: randomString(12), Name: CleanName(name), Type: typ, Size: int64(len(data))}
	desc, err := json.Marshal(a)
	if err != nil {
		return Attachment{}, err
	}
	keys := []string{s.metaKey(id), s.filesKey(id), s.fileDataKey(id)}
	res, err := s.st.RunScript(ctx, s.opts.Replicas, attachScript, keys, a.ID, desc, a.Size, data, quota.Files, quota.Bytes)
	if err != nil && res == nil {
		return Attachment{}, unavailable(err)
	}
	switch res[0] {
	case "not_found":
		return Attachment{}, errNotFound
	case "closed":
		return Attachment{}, errClosedAttachment
	case "files":
		return Attachment{}, apperr.Errorf(apperr.QuotaExceeded,
			"Cette conversation a déjà reçu le nombre maximal de fichiers (%d) : le fichier n'a pas été envoyé.", quota.Files)
	case "bytes":
		return Attachment{}, apperr.Errorf(apperr.QuotaExceeded,
			"Les fichiers de cette conversation dépasseraient %s, le maximum (déjà %s envoyés) : le fichier n'a pas été envoyé.",
			FormatSize(quota.Bytes), FormatSize(toInt(res[1])))
	}
	if err != nil {
		s.RemoveAttachment(context.WithoutCancel(ctx), id, a)
		return Attachment{}, unavailable(err)
	}
	return a, nil
}

// RemoveAttachment removes attachment a of conversation id and gives its size back to the
// quota: the file whose event could not be written.
func (s *Store) RemoveAttachment(ctx context.Context, id string, a Attachment) error {
	keys := []string{s.metaKey(id), s.filesKey(id), s.fileDataKey(id)}
	if _, err := s.st.RunScript(ctx, s.opts.Replicas, detachScript, keys, a.ID, a.Size); err != nil {
		return unavailable(err)
	}
	return nil
}

// AttachmentContent returns attachment attID of conversation id with its content.
func (s *Store) AttachmentContent(ctx context.Context, id, attID string) (Attachment, []byte, error) {
	if !ValidID(id) || attID == "" || len(attID) > 32 {
		return Attachment{}, nil, errAttachmentNotFound
	}
	var desc, data *redis.StringCmd
	_, err := s.st.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		desc = p.HGet(ctx, s.filesKey(id), attID)
		data = p.HGet(ctx, s.fileDataKey(id), attID)
		return nil
	})
	if errors.Is(err, redis.Nil) {
		return Attachment{}, nil, errAttachmentNotFound
	}
	if err != nil {
		return Attachment{}, nil, unavailable(err)
	}
	var a Attachment
	if err := json.Unmarshal([]byte(desc.Val()), &a); err != nil {
		return Attachment{}, nil, errAttachmentNotFound
	}
	return a, []byte(data.Val()), nil
}

// Attachments returns the descriptions of conversation id's attachments (no content), in
// no particular order.
func (s *Store) Attachments(ctx context.Context, id string) ([]Attachment, error) {
	if !ValidID(id) {
		return nil, errNotFound
	}
	all, err := s.st.Client.HGetAll(ctx, s.filesKey(id)).Result()
	if err != nil {
		return nil, unavailable(err)
	}
	out := make([]Attachment, 0, len(all))
	for _, desc := range all {
		var a Attachment
		if json.Unmarshal([]byte(desc), &a) == nil {
			out = append(out, a)
		}
	}
	return out, nil
}

// FormatSize writes a size in bytes as people read it, in French: « 800 octets », « 1,5 Mo ».
func FormatSize(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10) + " octets"
	case n < 1000*1000:
		return formatDecimal(float64(n)/1000) + " ko"
	}
	return formatDecimal(float64(n)/(1000*1000)) + " Mo"
}

// formatDecimal writes x with at most one decimal, with a French comma.
func formatDecimal(x float64) string {
	tenths := int64(x*10 + 0.5)
	s := strconv.FormatInt(tenths/10, 10)
	if d := tenths % 10; d != 0 {
		s += "," + strconv.FormatInt(d, 10)
	}
	return s
}
