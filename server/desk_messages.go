package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/handoff/desk"
)

// The messages customers left when no agent was available (« Messages laissés »): held by
// no agent, any agent may read them, link them to a customer and close their request.

// messagesResponse is GET /desk/messages.
type messagesResponse struct {
	Messages []desk.Interaction `json:"messages"`
}

// listMessages is GET /desk/messages: the open requests' left messages, newest first.
func (s *Server) listMessages(c echo.Context) error {
	msgs, err := s.records.Messages(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, messagesResponse{Messages: msgs})
}

// getMessage is GET /desk/messages/{id}: the message's desk context, as GET
// /desk/conversations/{cid} gives it for a chat (task null).
func (s *Server) getMessage(c echo.Context) error {
	ctx := c.Request().Context()
	in, err := s.records.Message(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	out := deskContextResponse{Request: &in.Request, Activity: &in.Activity, Customer: in.Customer}
	if in.Customer != nil {
		j, err := s.records.Journey(ctx, in.Customer.ID)
		if err != nil {
			return err
		}
		out.Journey = &j
	}
	return c.JSON(http.StatusOK, out)
}

// linkMessage is POST /desk/messages/{id}/customer {"customer_id"}: the message is linked
// to an existing customer → 200 {request, activity, customer}.
func (s *Server) linkMessage(c echo.Context) error {
	customerID, err := linkedCustomer(c)
	if err != nil {
		return err
	}
	linked, err := s.records.LinkMessage(c.Request().Context(), c.Param("id"), customerID, deskAgent(c).ID)
	if err != nil {
		return err
	}
	s.relay.AnnounceMessages(c.Request().Context(), linked.Activity.ConversationID)
	return c.JSON(http.StatusOK, linked)
}

// conversationEvents is GET /desk/conversations/{cid}/events: the whole transcript, for
// an agent reading a left message. Read-only; the customer's token is not needed.
func (s *Server) conversationEvents(c echo.Context) error {
	ctx, cid := c.Request().Context(), c.Param("cid")
	if err := s.knownConversation(ctx, cid); err != nil {
		return err
	}
	tr, _, err := s.readTranscript(ctx, cid)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, tr)
}
