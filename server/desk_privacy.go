package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/privacy"
)

// A person's erasure and export from the desk (docs/privacy.md), for supervisors only: the
// same operations as relais privacy erase and export, recorded in the audit trail under the
// agent's login and address.

var (
	errNotSupervisor = apperr.New(apperr.Forbidden,
		"Réservé aux superviseurs : effacer ou exporter les données d'une personne demande le rôle « superviseur ».")
	errNoConfirm = apperr.New(apperr.Invalid,
		"Confirmez l'effacement : envoyez {\"confirm\": true}. Il est définitif.")
	errExportFormat = apperr.New(apperr.Invalid, "Format d'export inconnu : format=zip (par défaut) ou format=json.")
	errAuditLimit   = apperr.New(apperr.Invalid, "limit : un nombre entier de 1 à 1000.")
	errAuditSubject = apperr.New(apperr.Invalid, "Indiquez au plus un de customer et conversation.")
)

// privacyRoutes adds the erasure and export routes to the desk's group g.
func (s *Server) privacyRoutes(g *echo.Group) {
	g.POST("/customers/:id/erase", s.erase(customerSubject), s.requireSupervisor)
	g.GET("/customers/:id/export", s.export(customerSubject), s.requireSupervisor)
	g.POST("/conversations/:cid/erase", s.erase(conversationSubject), s.requireSupervisor)
	g.GET("/conversations/:cid/export", s.export(conversationSubject), s.requireSupervisor)
	g.GET("/audit", s.auditTrail, s.requireSupervisor)
}

// requireSupervisor lets through the agents whose role may erase and export (403 otherwise).
// It runs after requireAgent.
func (s *Server) requireSupervisor(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !deskAgent(c).Role.MayErase() {
			return errNotSupervisor
		}
		return next(c)
	}
}

func customerSubject(c echo.Context) privacy.Subject {
	return privacy.Subject{CustomerID: c.Param("id")}
}

func conversationSubject(c echo.Context) privacy.Subject {
	return privacy.Subject{ConversationID: c.Param("cid")}
}

// actor is the signed-in agent, as the audit trail names them.
func actor(c echo.Context) privacy.Actor {
	return privacy.Actor{By: deskAgent(c).Login, From: c.RealIP()}
}

// eraseRequest is the body of an erasure: the agent confirms it.
type eraseRequest struct {
	Confirm bool `json:"confirm"`
}

// erase is POST …/erase {"confirm": true}: everything held about the person goes; the answer
// is the audit trail's entry (what was erased, counted).
func (s *Server) erase(subject func(echo.Context) privacy.Subject) echo.HandlerFunc {
	return func(c echo.Context) error {
		var in eraseRequest
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
		if !in.Confirm {
			return errNoConfirm
		}
		rep, err := s.privacy.Erase(c.Request().Context(), subject(c), actor(c))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, rep)
	}
}

// export is GET …/export: the person's export, to save as a file: a ZIP of export.json and
// the files of their conversations, or with format=json the document alone.
func (s *Server) export(subject func(echo.Context) privacy.Subject) echo.HandlerFunc {
	return func(c echo.Context) error {
		format := c.QueryParam("format")
		if format != "" && format != "zip" && format != "json" {
			return errExportFormat
		}
		x, _, err := s.privacy.Export(c.Request().Context(), subject(c), actor(c))
		if err != nil {
			return err
		}
		h := c.Response().Header()
		h.Set("Cache-Control", "no-store")
		name := "relais-export-" + x.Subject.Kind
		if format == "json" {
			h.Set("Content-Disposition", `attachment; filename="`+name+`.json"`)
			return c.JSON(http.StatusOK, x)
		}
		h.Set("Content-Type", "application/zip")
		h.Set("Content-Disposition", `attachment; filename="`+name+`.zip"`)
		c.Response().WriteHeader(http.StatusOK)
		if err := s.privacy.WriteArchive(c.Request().Context(), &x, c.Response()); err != nil {
			s.logger(c).Warn("export ZIP interrompu", "err", err) // the archive cut short opens nowhere
		}
		return nil
	}
}

// auditTrail is GET /desk/audit[?limit=N][&customer=ID | &conversation=ID]: the last N
// entries of the audit trail (100 by default, at most 1000), oldest first, or those of one
// customer or conversation.
func (s *Server) auditTrail(c echo.Context) error {
	limit := 100
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return errAuditLimit
		}
		limit = n
	}
	customer, conv := c.QueryParam("customer"), c.QueryParam("conversation")
	hash := ""
	switch {
	case customer != "" && conv != "":
		return errAuditSubject
	case customer != "":
		hash = privacy.SubjectHash(privacy.SubjectCustomer, customer)
	case conv != "":
		hash = privacy.SubjectHash(privacy.SubjectConversation, conv)
	}
	entries, err := s.audit.EntriesOf(c.Request().Context(), hash, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, struct {
		Entries []privacy.Entry `json:"entries"`
	}{append([]privacy.Entry{}, entries...)})
}
