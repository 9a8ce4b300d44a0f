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
	id, err := desk.VerifyIdentity([]byte(s.cfg.IdentitySecret), in.Identity, time.Now())
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
