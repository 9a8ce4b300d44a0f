package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/privacy"
)

// The desk's records (docs/desk.md): every route needs an agent's session cookie; every
// record goes out with its version as ETag, and every write to an existing record needs it
// back in If-Match.

// deskRoutes adds the /api/v1/desk routes to api.
func (s *Server) deskRoutes(api *echo.Group) {
	g := api.Group("/desk", s.sameOrigin, s.requireAgent)
	a := s.audited
	const customer, conv, request, activity = privacy.SubjectCustomer, privacy.SubjectConversation, privacy.SubjectRequest, privacy.SubjectActivity
	g.GET("/customers", s.searchCustomers, a(privacy.ActionSearch, customer, ""))
	g.POST("/customers", s.createCustomer, a(privacy.ActionCreate, customer, ""))
	g.GET("/customers/:id", s.getCustomer, a(privacy.ActionRead, customer, "id"))
	g.PUT("/customers/:id", s.updateCustomer, a(privacy.ActionEdit, customer, "id"))
	g.GET("/customers/:id/journey", s.customerJourney, a(privacy.ActionRead, customer, "id"))
	g.POST("/customers/:id/requests", s.createRequest, a(privacy.ActionCreate, customer, "id"))
	g.GET("/customers/:id/conversations", s.searchConversations, a(privacy.ActionSearch, customer, "id"))
	g.GET("/requests/:id", s.getRequest, a(privacy.ActionRead, request, "id"))
	g.PATCH("/requests/:id", s.patchRequest, a(privacy.ActionEdit, request, "id"))
	g.GET("/activities/:id", s.getActivity, a(privacy.ActionRead, activity, "id"))
	g.POST("/activities/:id/tags", s.addTag, a(privacy.ActionEdit, activity, "id"))
	g.DELETE("/activities/:id/tags/:tag", s.removeTag, a(privacy.ActionEdit, activity, "id"))
	g.GET("/conversations", s.searchDesk, a(privacy.ActionSearch, conv, ""))
	g.GET("/conversations/:cid", s.deskContext, a(privacy.ActionRead, conv, "cid"))
	g.POST("/conversations/:cid/customer", s.linkCustomer, a(privacy.ActionLink, conv, "cid"))
	g.GET("/conversations/:cid/events", s.deskEvents, a(privacy.ActionRead, conv, "cid"))
	g.GET("/conversations/:cid/notes", s.listNotes, a(privacy.ActionRead, conv, "cid"))
	g.POST("/conversations/:cid/notes", s.addNote, a(privacy.ActionNote, conv, "cid"))
	g.GET("/conversations/:cid/attachments/:aid", s.getDeskAttachment, a(privacy.ActionRead, conv, "cid"))
	g.POST("/conversations/:cid/transfer", s.transferConversation)
	g.POST("/conversations/:cid/reopen", s.reopenConversation, a(privacy.ActionEdit, conv, "cid"))
	g.GET("/colleagues", s.readyColleagues)
	g.GET("/replies", s.listReplies)
	g.POST("/replies", s.createReply)
	g.GET("/replies/:id", s.getReply)
	g.PUT("/replies/:id", s.updateReply)
	g.DELETE("/replies/:id", s.deleteReply)
	g.GET("/messages", s.listMessages)
	g.GET("/messages/:id", s.getMessage, a(privacy.ActionRead, activity, "id"))
	g.POST("/messages/:id/customer", s.linkMessage, a(privacy.ActionLink, activity, "id"))
	g.GET("/intents", s.deskIntents)
	g.GET("/limits", s.deskLimits)
	s.privacyRoutes(g)
	// The agent's file: its body is the file, not JSON (sameOriginFile instead of sameOrigin).
	api.POST("/desk/conversations/:cid/attachments", s.postDeskAttachment, s.sameOriginFile, s.requireAgent,
		a(privacy.ActionAttach, conv, "cid"))
}

// agentKey is where requireAgent leaves the agent in the request's context.
const agentKey = "relais.agent"

// requireAgent lets through the requests of a signed-in agent only (401 otherwise).
func (s *Server) requireAgent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		a, err := s.sessionAgent(c)
		if err != nil {
			return err
		}
		c.Set(agentKey, a)
		return next(c)
	}
}

// deskAgent is the agent requireAgent found.
func deskAgent(c echo.Context) handoff.Agent {
	a, _ := c.Get(agentKey).(handoff.Agent)
	return a
}

var errNoVersion = apperr.New(apperr.PreconditionRequired, "Version manquante : rechargez la fiche.")

// ifMatch reads the version the agent edited from If-Match ("3", W/"3" or 3). A version
// that cannot be read matches no record: the write answers 409 with the current one.
func ifMatch(c echo.Context) (int64, error) {
	h := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if h == "" {
		return 0, errNoVersion
	}
	v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(h, "W/"), `"`), 10, 64)
	if err != nil {
		return -1, nil
	}
	return v, nil
}

// record answers one record with its version as ETag.
func record(c echo.Context, status int, version int64, v any) error {
	setETag(c, version)
	return c.JSON(status, v)
}

func setETag(c echo.Context, version int64) {
	c.Response().Header().Set("ETag", `"`+strconv.FormatInt(version, 10)+`"`)
}

// staleCurrent is the current record of a stale write, for the 409's body; its version
// goes out as ETag. Nil for any other error.
func staleCurrent(c echo.Context, err error) any {
	stale, ok := errors.AsType[*desk.StaleError](err)
	if !ok {
		return nil
	}
	setETag(c, stale.Version)
	return stale.Current
}

// bindDesk decodes a desk request body; a body that is not the expected JSON is a 400.
func bindDesk(c echo.Context, v any) error {
	if err := decodeJSON(c, v); err != nil {
		if apperr.CodeOf(err) == apperr.Invalid {
			return apperr.Wrap(apperr.Invalid, "JSON invalide : un objet de la forme décrite par l'API est attendu.", err)
		}
		return err
	}
	return nil
}

// createCustomerRequest is a new customer, optionally linked to an interaction the agent
// holds or to a left message.
type createCustomerRequest struct {
	desk.CustomerFields
	ConversationID string `json:"conversation_id"`
	MessageID      string `json:"message_id"` // a left message's activity
}

// searchCustomers is GET /desk/customers?email=…|phone=…|account=…|name=…|q=….
func (s *Server) searchCustomers(c echo.Context) error {
	q := desk.Search{Email: c.QueryParam("email"), Phone: c.QueryParam("phone"),
		Account: c.QueryParam("account"), Name: c.QueryParam("name"), Q: c.QueryParam("q")}
	if q == (desk.Search{}) {
		return apperr.New(apperr.Invalid, "Précisez une recherche : email, phone, account, name ou q.")
	}
	found, err := s.records.SearchCustomers(c.Request().Context(), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string][]desk.Customer{"customers": found})
}

// createCustomer is POST /desk/customers: 201 with the customer. With conversation_id, the
// agent must hold that interaction, and it is linked to the new customer; with message_id,
// that left message is linked to them. Nothing is created when the link cannot be made.
func (s *Server) createCustomer(c echo.Context) error {
	var in createCustomerRequest
	if err := bindDesk(c, &in); err != nil {
		return err
	}
	ctx, a := c.Request().Context(), deskAgent(c)
	if err := s.checkLinkable(c, in); err != nil {
		return err
	}
	cu, err := s.records.CreateCustomer(ctx, in.CustomerFields, a.ID)
	if err != nil {
		return err
	}
	switch {
	case in.ConversationID != "":
		_, err = s.records.Link(ctx, in.ConversationID, cu.ID, s.cfg.ConversationTTL, a.ID)
	case in.MessageID != "":
		var linked desk.Interaction
		if linked, err = s.records.LinkMessage(ctx, in.MessageID, cu.ID, a.ID); err == nil {
			s.relay.AnnounceMessages(ctx, linked.Activity.ConversationID)
		}
	}
	if err != nil {
		return err
	}
	return record(c, http.StatusCreated, cu.Version, cu)
}

var errTwoLinks = apperr.New(apperr.Invalid, "Précisez conversation_id ou message_id, pas les deux.")

// checkLinkable refuses, before a customer is created, an interaction it could not be linked
// to: a conversation the agent does not hold, a message that does not exist or that another
// customer has.
func (s *Server) checkLinkable(c echo.Context, in createCustomerRequest) error {
	switch {
	case in.ConversationID != "" && in.MessageID != "":
		return errTwoLinks
	case in.ConversationID != "":
		_, err := s.heldTask(c, in.ConversationID)
		return err
	case in.MessageID != "":
		m, err := s.records.Message(c.Request().Context(), in.MessageID)
		if err == nil && m.Request.CustomerID != "" {
			return desk.ErrLinkedElsewhere
		}
		return err
	}
	return nil
}

// getCustomer is GET /desk/customers/{id}.
func (s *Server) getCustomer(c echo.Context) error {
	cu, err := s.records.Customer(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return record(c, http.StatusOK, cu.Version, cu)
}

// updateCustomer is PUT /desk/customers/{id} with If-Match.
func (s *Server) updateCustomer(c echo.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var in desk.CustomerFields
	if err := bindDesk(c, &in); err != nil {
		return err
	}
	cu, err := s.records.UpdateCustomer(c.Request().Context(), c.Param("id"), version, in, deskAgent(c).ID)
	if err != nil {
		return err
	}
	return record(c, http.StatusOK, cu.Version, cu)
}

// customerJourney is GET /desk/customers/{id}/journey.
func (s *Server) customerJourney(c echo.Context) error {
	j, err := s.records.Journey(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, j)
}
