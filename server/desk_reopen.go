package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/handoff"
)

// reopenConversation is POST /desk/conversations/{cid}/reopen: the agent who closed the
// conversation takes it back within the reopen window (limits.reopen_seconds) → 200
// {"task"}; the desks get it with an « assigned » envelope, the customer reads that the
// agent is back.
func (s *Server) reopenConversation(c echo.Context) error {
	cid := c.Param("cid")
	if !conversation.ValidID(cid) {
		return errNoConversation
	}
	t, err := s.relay.Reopen(c.Request().Context(), deskAgent(c), cid)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]handoff.Task{"task": t})
}
