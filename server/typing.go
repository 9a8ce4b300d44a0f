package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/conversation"
)

// customerTyping is POST /api/v1/conversations/{id}/typing: the customer is writing. While
// an agent answers, their desk is told by a transient event (never stored, no sequence
// number); otherwise nothing is sent. 204 either way.
func (s *Server) customerTyping(c echo.Context) error {
	ctx, id := c.Request().Context(), c.Param("id")
	owner, err := s.conv.Authorize(ctx, id, bearer(c))
	if err != nil {
		return err
	}
	if owner != conversation.OwnerAgent {
		return c.NoContent(http.StatusNoContent)
	}
	// The widget tells at most every 2 s: twice the message limit leaves room for that.
	err = s.limit(ctx, "typing:"+id, 2*s.cfg.MessagesPerConversation, "Trop de notifications de saisie. Patientez un instant.")
	if err != nil {
		return err
	}
	ev := conversation.Event{Type: conversation.TypeTyping, From: conversation.FromCustomer}
	if err := s.hub.Broadcast(ctx, id, ev); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
