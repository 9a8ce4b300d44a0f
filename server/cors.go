package server

import (
	"net/http"
	"path"
	"runtime/debug"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/apperr"
)

// cors lets the allowed origins (RELAIS_ALLOWED_ORIGINS: "https://boutique.fr",
// "https://*.boutique.fr" or "*") call the API from their pages, and answers preflight
// requests before routing. Other origins get no CORS header: their browsers refuse the answer.
func (s *Server) cors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		origin := c.Request().Header.Get(echo.HeaderOrigin)
		if origin == "" || !s.originAllowed(origin) {
			return next(c)
		}
		h := c.Response().Header()
		h.Add(echo.HeaderVary, echo.HeaderOrigin)
		h.Set(echo.HeaderAccessControlAllowOrigin, origin)
		r := c.Request()
		if r.Method != http.MethodOptions || r.Header.Get(echo.HeaderAccessControlRequestMethod) == "" {
			h.Set(echo.HeaderAccessControlExposeHeaders, "Retry-After, "+headerRequestID)
			return next(c)
		}
		h.Set(echo.HeaderAccessControlAllowMethods, "GET, POST, DELETE")
		h.Set(echo.HeaderAccessControlAllowHeaders, "Authorization, Content-Type, Idempotency-Key, "+headerRequestID)
		h.Set(echo.HeaderAccessControlMaxAge, "600")
		return c.NoContent(http.StatusNoContent)
	}
}

func (s *Server) originAllowed(origin string) bool {
	origin = strings.ToLower(origin)
	for _, p := range s.cfg.AllowedOrigins {
		p = strings.ToLower(strings.TrimSuffix(p, "/"))
		if p == "*" || p == origin {
			return true
		}
		if ok, _ := path.Match(p, origin); ok && strings.Contains(p, "*") {
			return true
		}
	}
	return false
}

// recoverPanics turns a handler's panic into an internal error, logged with its stack.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.logger(c).Error("panique", "panic", r, "stack", string(debug.Stack()))
				err = apperr.New(apperr.Internal, "")
			}
		}()
		return next(c)
	}
}
