package server

import (
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
)

// The pages' Content Security Policies: scripts, styles and connections from this server
// only (no inline script or style, so an injected one does not run). The desk may not be
// framed at all; the demo page only by itself. The demo page shows images from blob: URLs:
// the widget reads the conversation's files with its token (fetch), which an <img> cannot send.
const (
	deskCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	demoCSP = "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; " +
		"form-action 'self'; frame-ancestors 'self'"
	apiCSP = "default-src 'none'; frame-ancestors 'none'"
)

// securityHeaders sets the headers every answer carries (nosniff, Referrer-Policy) and those
// of its kind: the pages' CSP, and widget.js readable by the sites that embed it (they are
// the allowed origins of the API; the script itself is public).
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		switch p := c.Request().URL.Path; {
		case p == "/desk" || p == "/desk.html":
			h.Set("Content-Security-Policy", deskCSP)
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "same-origin")
		case p == "/" || p == "/index.html":
			h.Set("Content-Security-Policy", demoCSP)
		case p == "/widget.js":
			h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		case strings.HasPrefix(p, "/api/") || p == "/metrics":
			h.Set("Content-Security-Policy", apiCSP)
		}
		return next(c)
	}
}

var (
	errCrossSite = apperr.New(apperr.Forbidden,
		"Requête refusée : elle ne vient pas d'une page de ce serveur (origine étrangère).")
	errNotJSON = apperr.New(apperr.UnsupportedMedia,
		"Type de contenu refusé : le corps de la requête doit être du JSON (Content-Type: application/json).")
	errNotFile = apperr.New(apperr.FileType,
		"Ce fichier n'est pas accepté : seules les images (PNG, JPEG, WebP, GIF) et les documents PDF peuvent être envoyés (Content-Type du fichier attendu).")
)

// sameOrigin guards the routes a session cookie authenticates (the desk and the agent's
// account) against requests forged by other sites, including a sibling subdomain that
// SameSite lets through: a foreign Origin or Sec-Fetch-Site other than same-origin is
// refused, and a body must be JSON, which no form and no simple cross-site request can send.
// Clients that are not browsers send neither header and pass.
func (s *Server) sameOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if s.crossSite(r) {
			return errCrossSite
		}
		if hasBody(r) && !isJSON(r.Header.Get(echo.HeaderContentType)) {
			return errNotJSON
		}
		return next(c)
	}
}

// sameOriginFile is sameOrigin for the one cookie route whose body is a file (an agent's
// attachment): the same origin checks, and a body declared as one of the accepted
// attachment types, which no form can send and no cross-site page can send without a
// preflight that CORS refuses. The file's content must then agree (checkDeclared).
func (s *Server) sameOriginFile(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if s.crossSite(r) {
			return errCrossSite
		}
		t, _, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
		if err != nil || !slices.Contains(conversation.AttachmentTypes, t) {
			return errNotFile
		}
		return next(c)
	}
}

// crossSite says whether a browser says that r comes from another site: a foreign Origin, or
// Sec-Fetch-Site other than same-origin.
func (s *Server) crossSite(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return true
	}
	origin := r.Header.Get(echo.HeaderOrigin)
	return origin != "" && !s.ownOrigin(r, origin)
}

// ownOrigin says whether origin is this server: RELAIS_PUBLIC_URL's origin when set, else
// the host the request was sent to.
func (s *Server) ownOrigin(r *http.Request, origin string) bool {
	if public := s.cfg.publicOrigin(); public != "" {
		return strings.EqualFold(strings.TrimSuffix(origin, "/"), public)
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

// hasBody: a request that sends a body, or says what type it is.
func hasBody(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return r.ContentLength != 0 || r.Header.Get(echo.HeaderContentType) != ""
}

func isJSON(contentType string) bool {
	t, _, err := mime.ParseMediaType(contentType)
	return err == nil && t == echo.MIMEApplicationJSON
}

// trustedPeer says whether the request comes straight from one of the trusted proxies.
func (s *Server) trustedPeer(r *http.Request) bool {
	return s.trusted(peerIP(r.RemoteAddr))
}

func (s *Server) trusted(ip net.IP) bool {
	for _, n := range s.proxies {
		if ip != nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

func peerIP(addr string) net.IP {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	return net.ParseIP(host)
}

// scheme is the request's scheme as the browser used it: https over TLS, or when a trusted
// proxy says so in X-Forwarded-Proto; anyone else's X-Forwarded-Proto is ignored.
func (s *Server) scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	if proto := r.Header.Get(echo.HeaderXForwardedProto); proto != "" && s.trustedPeer(r) {
		return strings.ToLower(strings.TrimSpace(strings.Split(proto, ",")[0]))
	}
	return "http"
}

// secureCookies says whether the desk cookie is Secure: decided by RELAIS_PUBLIC_URL when set
// (https → Secure), else by the request's scheme as scheme tells it.
func (s *Server) secureCookies(r *http.Request) bool {
	if public := s.cfg.publicOrigin(); public != "" {
		return strings.HasPrefix(public, "https://")
	}
	return s.scheme(r) == "https"
}
