package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/handoff/desk"
)

// deskContextResponse is the desk context of a conversation: its task, its customer and
// their journey, and the current interaction's request and activity (null when absent).
type deskContextResponse struct {
	Task     *handoff.Task  `json:"task"`
	Customer *desk.Customer `json:"customer"`
	Journey  *desk.Journey  `json:"journey"`
	Request  *desk.Request  `json:"request"`
	Activity *desk.Activity `json:"activity"`
}

var errNoConversation = apperr.New(apperr.NotFound, "Conversation introuvable.")

// deskContext is GET /desk/conversations/{cid}: for the preview of a task before accepting
// it and for the conversation panel. The interaction is the live task's once accepted; with
// no live task, the conversation's latest.
func (s *Server) deskContext(c echo.Context) error {
	ctx, cid := c.Request().Context(), c.Param("cid")
	if !conversation.ValidID(cid) {
		return errNoConversation
	}
	var out deskContextResponse
	t, err := s.agents.router.TaskOf(ctx, cid)
	var in desk.Interaction
	switch {
	case err == nil:
		out.Task = &t
		in, err = s.records.OfTask(ctx, t.ID)
	case apperr.CodeOf(err) == apperr.NotFound:
		in, err = s.records.OfConversation(ctx, cid)
	}
	if err != nil && !errors.Is(err, desk.ErrNoInteraction) {
		return err
	}
	if in.Activity.ID != "" {
		out.Request, out.Activity, out.Customer = &in.Request, &in.Activity, in.Customer
	}
	if err := s.addCustomer(ctx, &out, cid); err != nil {
		return err
	}
	if out.Task == nil && out.Activity == nil && out.Customer == nil {
		return errNoConversation // nothing the desk knows of
	}
	return c.JSON(http.StatusOK, out)
}

// addCustomer completes the context with the customer (from the interaction, the
// conversation's signed identity or link, or the task) and their journey.
func (s *Server) addCustomer(ctx context.Context, out *deskContextResponse, cid string) error {
	if out.Customer == nil {
		id, err := s.records.ConversationCustomer(ctx, cid)
		if err != nil {
			return err
		}
		if id == "" && out.Task != nil {
			id = out.Task.CustomerID
		}
		if id != "" {
			cu, err := s.records.Customer(ctx, id)
			if err != nil && !errors.Is(err, desk.ErrCustomerNotFound) {
				return err
			}
			if err == nil {
				out.Customer = &cu
			}
		}
	}
	if out.Customer == nil {
		return nil
	}
	j, err := s.records.Journey(ctx, out.Customer.ID)
	if err != nil {
		return err
	}
	out.Journey = &j
	return nil
}

type linkRequest struct {
	CustomerID string `json:"customer_id"`
}

// linkCustomer is POST /desk/conversations/{cid}/customer {"customer_id"}: the interaction
// the agent holds is linked to an existing customer → 200 {request, activity, customer}.
func (s *Server) linkCustomer(c echo.Context) error {
	var in linkRequest
	if err := bindDesk(c, &in); err != nil {
		return err
	}
	if in.CustomerID == "" {
		return errChooseCustomer
	}
	cid := c.Param("cid")
	if _, err := s.heldTask(c, cid); err != nil {
		return err
	}
	linked, err := s.records.Link(c.Request().Context(), cid, in.CustomerID, s.cfg.ConversationTTL, deskAgent(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, linked)
}

// heldTask is the task of conversation cid, which the request's agent must hold.
func (s *Server) heldTask(c echo.Context, cid string) (handoff.Task, error) {
	return s.relay.HeldTask(c.Request().Context(), deskAgent(c).ID, cid)
}
