package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff/desk"
)

// createConversationRequest is the optional body of POST /api/v1/conversations.
type createConversationRequest struct {
	Identity string `json:"identity"` // a signed customer identity (docs/desk.md)
}

// errIdentityTooLong refuses an identity valid for longer than RELAIS_IDENTITY_MAX_AGE: one
// that leaks (a shared link, a log) would sign its customer in for years.
var errIdentityTooLong = &apperr.Error{Code: desk.ErrInvalidIdentity.Code, Message: desk.ErrInvalidIdentity.Message,
	Err: errors.New("identité valable trop longtemps (exp au-delà de RELAIS_IDENTITY_MAX_AGE)")}

// identifiedCustomer reads the signed identity a new conversation may carry and returns
// its customer's id, created from the identity when new; "" without an identity. An
// identity that does not verify (or any identity while no secret is configured) refuses
// the conversation.
func (s *Server) identifiedCustomer(c echo.Context) (string, error) {
	var in createConversationRequest
	if err := optionalJSON(c, &in); err != nil {
		return "", err
	}
	if in.Identity == "" {
		return "", nil
	}
	now := time.Now()
	id, err := desk.VerifyIdentity([]byte(s.cfg.IdentitySecret), in.Identity, now)
	if err == nil && time.Unix(id.Exp, 0).After(now.Add(s.cfg.IdentityMaxAge)) {
		err = errIdentityTooLong
	}
	if err != nil {
		s.logger(c).Info("identité client refusée", "err", err)
		return "", err
	}
	cu, err := s.records.EnsureCustomer(c.Request().Context(), id)
	if err != nil {
		return "", err
	}
	return cu.ID, nil
}

// optionalJSON decodes a bounded JSON body into v; an empty body leaves v as it is.
func optionalJSON(c echo.Context, v any) error {
	data, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return apperr.New(apperr.Invalid, "Requête trop volumineuse.")
		}
		if isTimeout(err) {
			return errSlowBody
		}
		return apperr.Wrap(apperr.Invalid, "Corps de requête illisible.", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return apperr.Wrap(apperr.Invalid, "JSON invalide.", err)
	}
	return nil
}
