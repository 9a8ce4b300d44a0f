package server

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/dialog"
	"github.com/relais/relais/handoff/desk"
)

// catalogued is a Bot that knows its intents (dialog.Engine): the desk shows their French
// names where tasks and activities carry an intent's id.
type catalogued interface {
	Bot() *dialog.Bot
}

type intentName struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Category string `json:"category"`
}

// deskIntents is GET /api/v1/desk/intents: the bot's intents with their French names (none
// for a bot without a catalogue).
func (s *Server) deskIntents(c echo.Context) error {
	out := []intentName{}
	if b, ok := s.bot.(catalogued); ok {
		if bot := b.Bot(); bot != nil && bot.Catalogue != nil {
			for _, in := range bot.Catalogue.Intents {
				out = append(out, intentName{ID: in.ID, Name: in.Name, Category: in.Category})
			}
		}
	}
	return c.JSON(http.StatusOK, map[string][]intentName{"intents": out})
}

// deskLimits is GET /api/v1/desk/limits: the desk records' field limits, in characters, for the
// page's counters (handoff/desk owns them), the longest agent message (message), how long a
// closed conversation may be reopened (reopen_seconds), and the attachments' largest file
// and types.
func (s *Server) deskLimits(c echo.Context) error {
	limits := desk.FieldLimits()
	limits["message"] = s.cfg.MaxMessageLength // an agent's message to the customer
	limits["reopen_seconds"] = int(s.agents.router.ReopenWindow() / time.Second)
	return c.JSON(http.StatusOK, limitsResponse{Limits: limits, Attachments: s.attachmentLimits()})
}
