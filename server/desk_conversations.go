package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"

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

// knownConversation is nil when conversation cid exists, errNoConversation when it does not.
func (s *Server) knownConversation(ctx context.Context, cid string) error {
	if !conversation.ValidID(cid) {
		return errNoConversation
	}
	if _, err := s.conv.Owner(ctx, cid); err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return errNoConversation
		}
		return err
	}
	return nil
}

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

var errChooseCustomer = apperr.InvalidFields(map[string]string{"customer_id": "Choisissez un client."})

// linkedCustomer is the customer_id of a link request's body, which must name one.
func linkedCustomer(c echo.Context) (string, error) {
	var in linkRequest
	if err := bindDesk(c, &in); err != nil {
		return "", err
	}
	if in.CustomerID == "" {
		return "", errChooseCustomer
	}
	return in.CustomerID, nil
}

// linkCustomer is POST /desk/conversations/{cid}/customer {"customer_id"}: the interaction
// the agent holds is linked to an existing customer → 200 {request, activity, customer}.
func (s *Server) linkCustomer(c echo.Context) error {
	customerID, err := linkedCustomer(c)
	if err != nil {
		return err
	}
	cid := c.Param("cid")
	if _, err := s.heldTask(c, cid); err != nil {
		return err
	}
	linked, err := s.records.Link(c.Request().Context(), cid, customerID, s.cfg.ConversationTTL, deskAgent(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, linked)
}

// heldTask is the task of conversation cid, which the request's agent must hold.
func (s *Server) heldTask(c echo.Context, cid string) (handoff.Task, error) {
	return s.relay.HeldTask(c.Request().Context(), deskAgent(c).ID, cid)
}

var errEventsPage = apperr.New(apperr.Invalid,
	"Pagination invalide : before est un numéro d'événement (1 ou plus), limit un nombre de 1 à 500.")

// deskEvents is GET /desk/conversations/{cid}/events: without parameters the whole
// transcript (conversationEvents); with before=SEQ and/or limit=N, the page of at most N
// events (100 by default) that ends just before SEQ (the conversation's end without it),
// {id, events, older}. The desk pages back from the end an « assigned » envelope gave it.
// Read-only, for any agent, like the whole transcript.
func (s *Server) deskEvents(c echo.Context) error {
	q := c.QueryParams()
	if !q.Has("before") && !q.Has("limit") {
		return s.conversationEvents(c)
	}
	before, limit, err := eventsPage(c.QueryParam("before"), c.QueryParam("limit"))
	if err != nil {
		return err
	}
	ctx, cid := c.Request().Context(), c.Param("cid")
	if err := s.knownConversation(ctx, cid); err != nil {
		return err
	}
	events, err := s.conv.Before(ctx, cid, before, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(cid, events))
}

// eventsPage reads before ("" : the end, 0) and limit ("": recentEvents).
func eventsPage(b, l string) (before int64, limit int, err error) {
	if b != "" {
		if before, err = strconv.ParseInt(b, 10, 64); err != nil || before < 1 {
			return 0, 0, errEventsPage
		}
	}
	limit = recentEvents
	if l != "" {
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 || limit > maxPage {
			return 0, 0, errEventsPage
		}
	}
	return before, limit, nil
}
