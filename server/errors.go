package server

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/apperr"
)

// errorBody is the JSON form of every error: {"error": {"code", "message"}}, with the
// fields at fault of a form (422) and the current record of a stale write (409).
type errorBody struct {
	Error   errorDetail       `json:"error"`
	Fields  map[string]string `json:"fields,omitempty"`
	Current any               `json:"current,omitempty"`
}

type errorDetail struct {
	Code    apperr.Code `json:"code"`
	Message string      `json:"message"`
}

// handleError is Echo's HTTPErrorHandler: it writes any error in the JSON form, with the
// status of its code, and logs internal ones with the request id.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	ae := asAppError(err)
	status := apperr.Status(ae.Code)
	if ae.Code == apperr.Invalid && ae.Fields != nil {
		status = http.StatusUnprocessableEntity // a form: a message per field
	}
	if he, ok := errors.AsType[*echo.HTTPError](err); ok && ae.Err == nil && ae.Code != apperr.Internal {
		status = he.Code // Echo's own errors keep their status (405, 413…)
	}
	switch {
	case errors.Is(err, context.Canceled):
		status = 499 // the client left; nobody reads the answer
	case status >= 500:
		s.logger(c).Error("erreur interne", "err", err)
	}
	if ae.RetryAfter > 0 {
		secs := int(math.Ceil(ae.RetryAfter.Seconds()))
		c.Response().Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	}
	if c.Request().Method == http.MethodHead {
		err = c.NoContent(status)
	} else {
		body := errorBody{Error: errorDetail{Code: ae.Code, Message: apperr.MessageOf(ae)}, Fields: ae.Fields}
		body.Current = staleCurrent(c, err)
		err = c.JSON(status, body)
	}
	if err != nil {
		s.logger(c).Debug("réponse d'erreur non écrite", "err", err)
	}
}

// asAppError finds the application error in err's chain; Echo's own errors (unknown route,
// wrong method, body too large) are given a code and a French message.
func asAppError(err error) *apperr.Error {
	if ae, ok := errors.AsType[*apperr.Error](err); ok {
		return ae
	}
	if he, ok := errors.AsType[*echo.HTTPError](err); ok {
		if e, ok := echoErrors[he.Code]; ok {
			return apperr.New(e.code, e.message)
		}
		if he.Code < 500 {
			return apperr.New(apperr.Invalid, "Requête invalide.")
		}
	}
	return &apperr.Error{Code: apperr.Internal, Err: err}
}

// echoErrors are the code and the message of Echo's own errors, by their HTTP status.
var echoErrors = map[int]struct {
	code    apperr.Code
	message string
}{
	http.StatusNotFound:              {apperr.NotFound, "Cette adresse n'existe pas."},
	http.StatusMethodNotAllowed:      {apperr.Invalid, "Méthode non autorisée pour cette adresse."},
	http.StatusRequestEntityTooLarge: {apperr.Invalid, "Requête trop volumineuse."},
	http.StatusUnauthorized:          {apperr.Unauthorized, "Authentification requise."},
	http.StatusForbidden:             {apperr.Forbidden, "Accès refusé."},
	http.StatusTooManyRequests:       {apperr.TooMany, "Trop de requêtes. Patientez un instant."},
	http.StatusServiceUnavailable:    {apperr.Unavailable, "Le service est momentanément indisponible."},
}
