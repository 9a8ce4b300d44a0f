package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/handoff/desk"
)

// Canned replies (docs/desk.md, « Réponses types »): the shared library every agent reads and
// edits. Each reply goes out with its version as ETag; a change or a deletion needs it back
// in If-Match, as every desk record.

// listReplies is GET /desk/replies: the library, sorted by name.
func (s *Server) listReplies(c echo.Context) error {
	list, err := s.records.Replies(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string][]desk.Reply{"replies": list})
}

// createReply is POST /desk/replies {"name", "text"} → 201 + ETag.
func (s *Server) createReply(c echo.Context) error {
	var in desk.ReplyFields
	if err := bindDesk(c, &in); err != nil {
		return err
	}
	r, err := s.records.CreateReply(c.Request().Context(), in, deskAgent(c).ID)
	if err != nil {
		return err
	}
	return record(c, http.StatusCreated, r.Version, r)
}

// getReply is GET /desk/replies/{id}.
func (s *Server) getReply(c echo.Context) error {
	r, err := s.records.Reply(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return record(c, http.StatusOK, r.Version, r)
}

// updateReply is PUT /desk/replies/{id} + If-Match {"name", "text"} → 200 + ETag.
func (s *Server) updateReply(c echo.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var in desk.ReplyFields
	if err := bindDesk(c, &in); err != nil {
		return err
	}
	r, err := s.records.UpdateReply(c.Request().Context(), c.Param("id"), version, in, deskAgent(c).ID)
	if err != nil {
		return err
	}
	return record(c, http.StatusOK, r.Version, r)
}

// deleteReply is DELETE /desk/replies/{id} + If-Match → 204.
func (s *Server) deleteReply(c echo.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	if err := s.records.DeleteReply(c.Request().Context(), c.Param("id"), version, deskAgent(c).ID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
