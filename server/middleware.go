package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/apperr"
)

// headerRequestID carries the request id, in and out.
const headerRequestID = "X-Request-ID"

// observe gives each request an id and a logger carrying it, then logs and counts the request
// once it is answered. It never logs bodies: customer text stays out of the info logs.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		id := requestID(c.Request().Header.Get(headerRequestID))
		c.Response().Header().Set(headerRequestID, id)
		log := s.log.With("request_id", id)
		c.Set("log", log)
		r := c.Request()
		if err := next(c); err != nil {
			c.Error(err)
		}
		route, status := c.Path(), c.Response().Status
		if route == "" || status == http.StatusNotFound && route == "/*" {
			route = "unmatched"
		}
		took := time.Since(start)
		s.metrics.observeRequest(route, r.Method, status, took)
		level := slog.LevelInfo
		if route == "/healthz" || route == "/readyz" || route == "/metrics" {
			level = slog.LevelDebug
		}
		log.Log(r.Context(), level, "requête", "method", r.Method, "route", route, "status", status,
			"ms", float64(took.Microseconds())/1000, "ip", c.RealIP())
		return nil
	}
}

// requestID keeps a caller's id when it is short and plain (a load balancer's), else makes one.
func requestID(in string) string {
	if n := len(in); n > 0 && n <= 64 {
		ok := true
		for i := 0; i < n && ok; i++ {
			ch := in[i]
			ok = 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' || ch == '-' || ch == '_' || ch == '.'
		}
		if ok {
			return in
		}
	}
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// logger is the request's logger (with its id).
func (s *Server) logger(c echo.Context) *slog.Logger {
	if l, ok := c.Get("log").(*slog.Logger); ok {
		return l
	}
	return s.log
}

// limit counts one event against key and fails with TooMany past limit per window; limit 0
// means no limit. It is atomic in Redis, so it holds across server instances.
func (s *Server) limit(ctx context.Context, key string, limit int, message string) error {
	if limit <= 0 {
		return nil
	}
	wait, err := s.store.Limit(ctx, key, limit, s.cfg.RateWindow)
	if err != nil {
		return apperr.Wrap(apperr.Unavailable, "Le service est momentanément indisponible.", err)
	}
	if wait > 0 {
		return apperr.Limited(message, wait)
	}
	return nil
}

// limitIP limits the API requests of one client address.
func (s *Server) limitIP(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := s.limit(c.Request().Context(), "ip:"+c.RealIP(), s.cfg.RequestsPerIP,
			"Trop de requêtes depuis votre adresse. Patientez un instant.")
		if err != nil {
			return err
		}
		return next(c)
	}
}
