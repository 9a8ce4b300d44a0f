package server

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff/desk"
)

// createRequest is POST /desk/customers/{id}/requests: a new open request → 201.
func (s *Server) createRequest(c echo.Context) error {
	var in desk.RequestFields
	if err := bindDesk(c, &in); err != nil {
		return err
	}
	r, err := s.records.CreateRequest(c.Request().Context(), c.Param("id"), in, deskAgent(c).ID)
	if err != nil {
		return err
	}
	return record(c, http.StatusCreated, r.Version, r)
}

// getRequest is GET /desk/requests/{id}.
func (s *Server) getRequest(c echo.Context) error {
	r, err := s.records.Request(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return record(c, http.StatusOK, r.Version, r)
}

// patchRequest is PATCH /desk/requests/{id} with If-Match: title, description, status.
func (s *Server) patchRequest(c echo.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var in desk.RequestPatch
	if err := bindDesk(c, &in); err != nil {
		return err
	}
	r, err := s.records.PatchRequest(c.Request().Context(), c.Param("id"), version, in, deskAgent(c).ID)
	if err != nil {
		return err
	}
	if in.Status != nil {
		s.relay.AnnounceMessages(c.Request().Context(), "") // its left messages may join or leave the list
	}
	return record(c, http.StatusOK, r.Version, r)
}

// getActivity is GET /desk/activities/{id}.
func (s *Server) getActivity(c echo.Context) error {
	a, err := s.records.Activity(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return record(c, http.StatusOK, a.Version, a)
}

type tagRequest struct {
	Tag string `json:"tag"`
}

// addTag is POST /desk/activities/{id}/tags {"tag"} with If-Match.
func (s *Server) addTag(c echo.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var in tagRequest
	if err := bindDesk(c, &in); err != nil {
		return err
	}
	a, err := s.records.AddTag(c.Request().Context(), c.Param("id"), version, in.Tag, deskAgent(c).ID)
	if err != nil {
		return err
	}
	return record(c, http.StatusOK, a.Version, a)
}

// removeTag is DELETE /desk/activities/{id}/tags/{tag} with If-Match.
func (s *Server) removeTag(c echo.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	tag := c.Param("tag")
	if c.Request().URL.RawPath != "" { // Echo left the escapes of an unusual path in place
		if tag, err = url.PathUnescape(tag); err != nil {
			return apperr.New(apperr.Invalid, "Tag illisible dans l'adresse.")
		}
	}
	a, err := s.records.RemoveTag(c.Request().Context(), c.Param("id"), version, tag, deskAgent(c).ID)
	if err != nil {
		return err
	}
	return record(c, http.StatusOK, a.Version, a)
}
