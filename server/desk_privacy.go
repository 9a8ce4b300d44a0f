package server

import (
	"net/http"

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
)

// privacyRoutes adds the erasure and export routes to the desk's group g.
func (s *Server) privacyRoutes(g *echo.Group) {
	g.POST("/customers/:id/erase", s.erase(customerSubject), s.requireSupervisor)
	g.GET("/customers/:id/export", s.export(customerSubject), s.requireSupervisor)
	g.POST("/conversations/:cid/erase", s.erase(conversationSubject), s.requireSupervisor)
	g.GET("/conversations/:cid/export", s.export(conversationSubject), s.requireSupervisor)
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

// export is GET …/export: the person's export document, to save as a file.
func (s *Server) export(subject func(echo.Context) privacy.Subject) echo.HandlerFunc {
	return func(c echo.Context) error {
		x, _, err := s.privacy.Export(c.Request().Context(), subject(c), actor(c))
		if err != nil {
			return err
		}
		h := c.Response().Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Disposition", `attachment; filename="relais-export-`+x.Subject.Kind+`.json"`)
		return c.JSON(http.StatusOK, x)
	}
}
