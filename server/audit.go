package server

import (
	"github.com/labstack/echo/v4"

	"github.com/relais/relais/privacy"
)

// The agents' actions on personal data go to the privacy audit trail (docs/privacy.md): who
// (the agent's login), what (the action, the kind of record and a hash of its id — never its
// content, nor a search's terms), when and from where (the agent's address).

// audited records action on the record of kind subject named by the route parameter param
// ("" none) once the request has succeeded.
func (s *Server) audited(action, subject, param string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			if err == nil && c.Response().Status < 400 {
				id := ""
				if param != "" {
					id = c.Param(param)
				}
				s.auditAgent(c, deskAgent(c).Login, action, subject, deskAgent(c).ID, id)
			}
			return err
		}
	}
}

// auditAgent records an agent's action (login: theirs; agentID for their own sign-in and
// sign-out) on the record id of kind subject; a failure is logged, the action stands.
func (s *Server) auditAgent(c echo.Context, login, action, subject, agentID, id string) {
	e := privacy.Entry{Action: action, By: login, From: c.RealIP(), Subject: subject}
	switch {
	case subject == privacy.SubjectAgent:
		e.SubjectHash = privacy.SubjectHash(subject, agentID)
	case id != "":
		e.SubjectHash = privacy.SubjectHash(subject, id)
	}
	if _, err := s.audit.Record(c.Request().Context(), e); err != nil {
		s.logger(c).Warn("journal d'audit", "action", action, "err", err)
	}
}
