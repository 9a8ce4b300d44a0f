package server

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
)

// maxBody bounds a JSON request body: 2,000 characters escaped as \uXXXX fit well within it.
const maxBody = 64 << 10

// maxKey bounds an idempotency key.
const maxKey = 128

// maxPage is the most events one GET .../events returns; the client asks again with after=.
const maxPage = 500

type createResponse struct {
	ID     string               `json:"id"`
	Token  string               `json:"token"`
	Events []conversation.Event `json:"events"`
}

// createConversation is POST /api/v1/conversations: a new conversation and the bot's welcome.
func (s *Server) createConversation(c echo.Context) error {
	ctx := c.Request().Context()
	err := s.limit(ctx, "conv-ip:"+c.RealIP(), s.cfg.ConversationsPerIP,
		"Trop de conversations ouvertes depuis votre adresse. Patientez un instant.")
	if err != nil {
		return err
	}
	customer, err := s.identifiedCustomer(c)
	if err != nil {
		return err
	}
	opened, err := s.relay.Open(ctx, customer)
	if err != nil {
		return err
	}
	conv := opened.Conversation
	return c.JSON(http.StatusCreated, createResponse{ID: conv.ID, Token: conv.Token, Events: opened.Events})
}

type messageRequest struct {
	Text     string `json:"text"`
	ClientID string `json:"client_id"` // idempotency key, when the Idempotency-Key header is absent
}

// postMessage is POST /api/v1/conversations/{id}/messages: store the customer's message once
// per idempotency key and answer with the bot's replies.
func (s *Server) postMessage(c echo.Context) error {
	var in messageRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	text, err := s.checkText(in.Text)
	if err != nil {
		return err
	}
	key := c.Request().Header.Get("Idempotency-Key")
	if key == "" {
		key = in.ClientID
	}
	if len(key) > maxKey {
		return apperr.Errorf(apperr.Invalid, "La clé d'idempotence dépasse %d caractères.", maxKey)
	}
	ctx := c.Request().Context()
	id, token := c.Param("id"), bearer(c)
	answered, err := s.relay.Post(ctx, id, token, key, text)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, answered)
}

// checkText enforces the limits on a customer message at the edge.
func (s *Server) checkText(text string) (string, error) {
	text = strings.TrimSpace(text)
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return "", apperr.New(apperr.Invalid, "Le message est vide.")
	case n > s.cfg.MaxMessageLength:
		return "", apperr.Errorf(apperr.Invalid, "Le message dépasse %d caractères (%d reçus).", s.cfg.MaxMessageLength, n)
	case !utf8.ValidString(text):
		return "", apperr.New(apperr.Invalid, "Le message contient des caractères invalides.")
	}
	return text, nil
}

type limitsResponse struct {
	Limits      map[string]int  `json:"limits"`
	Attachments attachmentsInfo `json:"attachments"`
}

// customerLimits is GET /api/v1/limits: the limits the widget shows (the longest message, in
// characters; the attachments' largest file and types), so that the page never holds a copy
// of the server's rules.
func (s *Server) customerLimits(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.JSON(http.StatusOK, limitsResponse{Limits: map[string]int{"message": s.cfg.MaxMessageLength},
		Attachments: s.attachmentLimits()})
}

type eventsResponse struct {
	Events []conversation.Event `json:"events"`
}

// listEvents is GET /api/v1/conversations/{id}/events?after=SEQ: the transcript after SEQ.
//
// When the store no longer holds the client's last event (after=ID or after=SEQ of an event a
// Redis failover lost), the answer is a "reset" event then the transcript from the start, as
// on the websocket: the client drops what it shows.
func (s *Server) listEvents(c echo.Context) error {
	after, entry, err := parsePosition(c.QueryParam("after"))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	id := c.Param("id")
	if _, err := s.conv.Authorize(ctx, id, bearer(c)); err != nil {
		return err
	}
	var reset []conversation.Event
	if after > 0 {
		err := s.conv.Verify(ctx, id, after, entry)
		if errors.Is(err, conversation.ErrRolledBack) {
			s.log.Warn("conversation en retard sur le client : recharge", "conversation", id, "seq", after)
			reset, after = []conversation.Event{{Type: conversation.TypeReset, At: time.Now().UTC()}}, 0
		} else if err != nil {
			return err
		}
	}
	events, err := s.conv.Events(ctx, id, after, maxPage)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, eventsResponse{Events: append(reset, events...)})
}

// bearer is the token of "Authorization: Bearer <token>".
func bearer(c echo.Context) string {
	h := c.Request().Header.Get(echo.HeaderAuthorization)
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// parsePosition reads after=SEQ or after=SEQ-TAG (the id of the client's last event).
func parsePosition(v string) (int64, string, error) {
	if v == "" {
		return 0, "", nil
	}
	n, entry, ok := conversation.ParseAfter(v)
	if !ok {
		return 0, "", apperr.New(apperr.Invalid, "Le paramètre after doit être un numéro d'événement (entier positif) ou l'identifiant du dernier événement reçu.")
	}
	return n, entry, nil
}

var errSlowBody = apperr.New(apperr.RequestTimeout, "Le corps de la requête arrive trop lentement : réessayez.")

// isTimeout says whether err is a read deadline passing (bodyDeadline's).
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// decodeJSON reads a bounded JSON body into v.
func decodeJSON(c echo.Context, v any) error {
	body := http.MaxBytesReader(c.Response(), c.Request().Body, maxBody)
	err := json.NewDecoder(body).Decode(v)
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooBig):
		return apperr.New(apperr.Invalid, "Requête trop volumineuse.")
	case isTimeout(err):
		return errSlowBody
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.Invalid, "Corps de requête vide : un objet JSON est attendu.")
	}
	return apperr.Wrap(apperr.Invalid, "JSON invalide : un objet {\"text\": \"…\"} est attendu.", err)
}
