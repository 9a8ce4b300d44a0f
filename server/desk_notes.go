package server

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/handoff/desk"
)

// Internal notes (docs/desk.md): agents write them for one another about a conversation.
// They are kept apart from the conversation's events (conversation.Note), so that no
// customer route can send them.

type noteRequest struct {
	Text string `json:"text"`
}

// listNotes is GET /desk/conversations/{cid}/notes: any agent reads them, as the transcript.
func (s *Server) listNotes(c echo.Context) error {
	notes, err := s.conv.Notes(c.Request().Context(), c.Param("cid"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string][]conversation.Note{"notes": notes})
}

// addNote is POST /desk/conversations/{cid}/notes {"text"}: the agent holding the
// conversation writes a note → 201 the note.
func (s *Server) addNote(c echo.Context) error {
	var in noteRequest
	if err := bindDesk(c, &in); err != nil {
		return err
	}
	text := strings.TrimSpace(in.Text)
	if err := checkNote(text); err != nil {
		return err
	}
	cid := c.Param("cid")
	if _, err := s.heldTask(c, cid); err != nil {
		return err
	}
	a := deskAgent(c)
	n, err := s.conv.AddNote(c.Request().Context(), cid, conversation.Note{AgentID: a.ID, AgentName: a.Name, Text: text})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, n)
}

// checkNote refuses an empty note or one over the desk's text limit.
func checkNote(text string) error {
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return apperr.New(apperr.Invalid, "La note est vide.")
	case n > desk.MaxText:
		return apperr.Errorf(apperr.Invalid, "La note dépasse %d caractères (%d saisis).", desk.MaxText, n)
	}
	return nil
}
