package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/handoff/desk"
)

// leaveRequest is the optional body of POST .../leave.
type leaveRequest struct {
	Message string `json:"message"` // a message for the agents, when none was available
	Contact string `json:"contact"` // how to answer an anonymous customer: an e-mail or a phone
}

// leaveConversation is POST /api/v1/conversations/{id}/leave: the customer leaves; the
// conversation is closed and its task, if any, cancelled. With a message, the message is
// filed first for the desk (a request « Message laissé par le client »), so that a failure
// leaves the conversation open for a retry. An anonymous customer leaving a message gives a
// contact (an e-mail or a phone), else 422 with fields.contact and nothing is stored.
func (s *Server) leaveConversation(c echo.Context) error {
	var in leaveRequest
	if err := optionalJSON(c, &in); err != nil {
		return err
	}
	if in.Message != "" {
		if err := desk.CheckMessage(in.Message); err != nil {
			return err
		}
	}
	if err := s.relay.Leave(c.Request().Context(), c.Param("id"), bearer(c), in.Message, in.Contact); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// forgetConversation is DELETE /api/v1/conversations/{id}: the customer erases the
// conversation (its events, the bot's session, its desk activities; its task cancelled) →
// 204. Afterwards it answers 404.
func (s *Server) forgetConversation(c echo.Context) error {
	if err := s.relay.Forget(c.Request().Context(), c.Param("id"), bearer(c), "widget"); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
