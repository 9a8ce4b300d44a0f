package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/relay"
)

// Transfer and hand back with a reason (docs/desk.md); the workflow is relay.Pass.

type transferRequest struct {
	To      string `json:"to"`       // agent, queue or bot
	AgentID string `json:"agent_id"` // to agent: the colleague
	Reason  string `json:"reason"`
}

// readyColleagues is GET /desk/colleagues: the other agents who may receive a transfer now.
func (s *Server) readyColleagues(c echo.Context) error {
	out, err := s.relay.Colleagues(c.Request().Context(), deskAgent(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string][]relay.Colleague{"agents": out})
}

// transferConversation is POST /desk/conversations/{cid}/transfer {"to", "agent_id",
// "reason"} → 200 {"note"}.
func (s *Server) transferConversation(c echo.Context) error {
	var in transferRequest
	if err := bindDesk(c, &in); err != nil {
		return err
	}
	n, err := s.relay.Pass(c.Request().Context(), deskAgent(c),
		relay.Transfer{ConversationID: c.Param("cid"), To: in.To, AgentID: in.AgentID, Reason: in.Reason})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]conversation.Note{"note": n})
}
