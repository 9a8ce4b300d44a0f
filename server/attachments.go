package server

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
)

// Attachments (docs/customer-api.md, docs/desk.md): a file is sent as the raw body of a POST,
// its name in ?name=, its declared Content-Type checked against what its content shows
// (conversation.SniffAttachment decides, never the name). It is kept beside the conversation
// and shown to both sides by an "attachment" event; it is read back with the conversation's
// token (the customer) or an agent's session (the desk), served with the sniffed type.

type attachmentResponse struct {
	Attachment conversation.Attachment `json:"attachment"`
	Event      conversation.Event      `json:"event"`
}

// postAttachment is POST /api/v1/conversations/{id}/attachments?name=NAME: the customer's file
// → 201 {attachment, event}.
func (s *Server) postAttachment(c echo.Context) error {
	ctx, id := c.Request().Context(), c.Param("id")
	if _, err := s.conv.Authorize(ctx, id, bearer(c)); err != nil {
		return err
	}
	a, err := s.keepAttachment(c, id)
	if err != nil {
		return err
	}
	ev, err := s.relay.CustomerAttaches(ctx, id, a)
	return s.attached(c, id, a, ev, err)
}

// postDeskAttachment is POST /api/v1/desk/conversations/{cid}/attachments?name=NAME: a file
// of the agent holding the conversation → 201 {attachment, event}.
func (s *Server) postDeskAttachment(c echo.Context) error {
	cid := c.Param("cid")
	if _, err := s.heldTask(c, cid); err != nil {
		return err
	}
	a, err := s.keepAttachment(c, cid)
	if err != nil {
		return err
	}
	ev, err := s.relay.AgentAttaches(c.Request().Context(), deskAgent(c), cid, a)
	return s.attached(c, cid, a, ev, err)
}

// attached answers the upload of a, whose event is ev; when the event could not be written
// (err), the file goes too.
func (s *Server) attached(c echo.Context, id string, a conversation.Attachment, ev conversation.Event, err error) error {
	if err != nil {
		if rerr := s.conv.RemoveAttachment(c.Request().Context(), id, a); rerr != nil {
			s.logger(c).Warn("pièce jointe sans événement non retirée", "conversation", id, "err", rerr)
		}
		return err
	}
	return c.JSON(http.StatusCreated, attachmentResponse{Attachment: a, Event: ev})
}

// keepAttachment reads the request's file and keeps it in conversation id, within its quota.
func (s *Server) keepAttachment(c echo.Context, id string) (conversation.Attachment, error) {
	data, err := s.readFile(c)
	if err != nil {
		return conversation.Attachment{}, err
	}
	typ, err := conversation.SniffAttachment(data)
	if err != nil {
		return conversation.Attachment{}, err
	}
	if err := checkDeclared(c.Request().Header.Get(echo.HeaderContentType), typ); err != nil {
		return conversation.Attachment{}, err
	}
	quota := conversation.AttachmentQuota{Files: s.cfg.AttachmentQuotaFiles, Bytes: int64(s.cfg.AttachmentQuotaBytes)}
	return s.conv.PutAttachment(c.Request().Context(), id, c.QueryParam("name"), data, quota)
}

// readFile reads the request's body, at most AttachmentMaxBytes.
func (s *Server) readFile(c echo.Context) ([]byte, error) {
	limit := int64(s.cfg.AttachmentMaxBytes)
	if c.Request().ContentLength > limit {
		return nil, s.errFileTooLarge(c.Request().ContentLength)
	}
	data, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, s.errFileTooLarge(0)
	case isTimeout(err):
		return nil, errSlowBody
	case err != nil:
		return nil, apperr.Wrap(apperr.Invalid, "Le fichier n'a pas été reçu en entier : réessayez.", err)
	}
	return data, nil
}

func (s *Server) errFileTooLarge(size int64) error {
	max := conversation.FormatSize(int64(s.cfg.AttachmentMaxBytes))
	if size > 0 {
		return apperr.Errorf(apperr.FileTooLarge, "Ce fichier est trop volumineux (%s) : %s au plus.", conversation.FormatSize(size), max)
	}
	return apperr.Errorf(apperr.FileTooLarge, "Ce fichier est trop volumineux : %s au plus.", max)
}

// checkDeclared refuses a file whose declared type (the request's Content-Type) says other
// than its content: a PDF sent as image/png is refused, not shown as an image. No type, or
// application/octet-stream, declares nothing.
func checkDeclared(contentType, sniffed string) error {
	if contentType == "" {
		return nil
	}
	t, _, err := mime.ParseMediaType(contentType)
	if err == nil && (t == "application/octet-stream" || t == sniffed) {
		return nil
	}
	return apperr.Errorf(apperr.FileType,
		"Le type annoncé du fichier (%s) ne correspond pas à son contenu (%s) : le fichier n'a pas été envoyé.", contentType, sniffed)
}

// getAttachment is GET /api/v1/conversations/{id}/attachments/{aid} with the conversation's
// token: the file.
func (s *Server) getAttachment(c echo.Context) error {
	ctx, id := c.Request().Context(), c.Param("id")
	if _, err := s.conv.Authorize(ctx, id, bearer(c)); err != nil {
		return err
	}
	// The widget reads it from the customer's site (with CORS).
	c.Response().Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
	return s.serveAttachment(c, id, c.Param("aid"))
}

// getDeskAttachment is GET /api/v1/desk/conversations/{cid}/attachments/{aid}: the file, for
// any agent, as the transcript.
func (s *Server) getDeskAttachment(c echo.Context) error {
	cid := c.Param("cid")
	if _, err := s.conv.Owner(c.Request().Context(), cid); err != nil {
		return err
	}
	return s.serveAttachment(c, cid, c.Param("aid"))
}

// serveAttachment answers attachment aid of conversation id with the type its content showed
// (never sniffed again by the browser); a PDF is a download, an image may show in the page.
func (s *Server) serveAttachment(c echo.Context, id, aid string) error {
	a, data, err := s.conv.AttachmentContent(c.Request().Context(), id, aid)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store") // personal data: gone from the browser once erased
	h.Set("Content-Disposition", disposition(a))
	return c.Blob(http.StatusOK, a.Type, data)
}

// disposition is an attachment's Content-Disposition: attachment for a PDF, inline for an
// image, with its name in UTF-8 (RFC 6266) and an ASCII fallback.
func disposition(a conversation.Attachment) string {
	kind := "inline"
	if a.Type == "application/pdf" {
		kind = "attachment"
	}
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, a.Name)
	return kind + `; filename="` + ascii + `"; filename*=UTF-8''` + extValue(a.Name)
}

// extValue percent-encodes s as an RFC 8187 value: every byte but its attr-chars.
func extValue(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' || strings.IndexByte("!#$&+-.^_`|~", ch) >= 0 {
			b.WriteByte(ch)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", ch)
	}
	return b.String()
}

// attachmentLimits are the attachments' limits the pages show: the largest file, in bytes,
// and the types accepted (for the file picker; the server decides).
func (s *Server) attachmentLimits() attachmentsInfo {
	return attachmentsInfo{MaxBytes: s.cfg.AttachmentMaxBytes, Types: slices.Clone(conversation.AttachmentTypes)}
}

type attachmentsInfo struct {
	MaxBytes int      `json:"max_bytes"`
	Types    []string `json:"types"`
}
