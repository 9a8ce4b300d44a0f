package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/handoff/desk"
)

// The search in a customer's conversations reads, at most, the searchedChats most recent
// chats of their journey and, in each, its last maxPage events: its cost is bounded per
// request whatever the desk holds, needs no index, and reads each conversation's own keys
// (one Redis Cluster slot each; the embedded store alike). Conversations past their TTL are
// gone and found no more.
const (
	searchedChats = 20
	maxMatches    = 50
	minQuery      = 2
	maxQuery      = 200
)

var errSearchQuery = apperr.New(apperr.Invalid, "Saisissez de 2 à 200 caractères à chercher dans les conversations.")

// textMatch is one message of a conversation that holds the searched text.
type textMatch struct {
	ConversationID string    `json:"conversation_id"`
	ActivityID     string    `json:"activity_id"`
	StartedAt      string    `json:"started_at"`
	AgentName      string    `json:"agent_name"`
	Seq            int64     `json:"seq"`
	At             time.Time `json:"at"`
	From           string    `json:"from"`
	Text           string    `json:"text"`
}

type textSearch struct {
	Matches  []textMatch `json:"matches"`
	Searched int         `json:"searched"` // conversations read
	More     bool        `json:"more"`     // more matches or older chats than were read
}

// searchConversations is GET /desk/customers/{id}/conversations?q=…: the messages of the
// customer's recent chats holding q, ignoring case and accents, newest chat first.
func (s *Server) searchConversations(c echo.Context) error {
	q := desk.TagKey(c.QueryParam("q"))
	if n := len([]rune(q)); n < minQuery || n > maxQuery {
		return errSearchQuery
	}
	ctx := c.Request().Context()
	j, err := s.records.Journey(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	out := textSearch{Matches: []textMatch{}}
	for _, a := range chatsOf(j) {
		if out.Searched == searchedChats || len(out.Matches) == maxMatches {
			out.More = true
			break
		}
		out.Searched++
		found, err := s.matchesIn(ctx, a, q)
		if err != nil {
			return err
		}
		if room := maxMatches - len(out.Matches); len(found) > room {
			found, out.More = found[:room], true
		}
		out.Matches = append(out.Matches, found...)
	}
	return c.JSON(http.StatusOK, out)
}

// chatsOf are the journey's chat activities with a conversation, newest first.
func chatsOf(j desk.Journey) []desk.Activity {
	var out []desk.Activity
	for _, r := range j.Requests {
		for _, a := range r.Activities {
			if a.Kind == desk.KindChat && a.ConversationID != "" {
				out = append(out, a)
			}
		}
	}
	return out
}

// matchesIn are the messages of a's conversation (its last maxPage events) holding q.
func (s *Server) matchesIn(ctx context.Context, a desk.Activity, q string) ([]textMatch, error) {
	events, err := s.conv.Before(ctx, a.ConversationID, 0, maxPage)
	if err != nil {
		return nil, err
	}
	var out []textMatch
	for _, ev := range events {
		if ev.Type == conversation.TypeMessage && strings.Contains(desk.TagKey(ev.Text), q) {
			out = append(out, textMatch{ConversationID: a.ConversationID, ActivityID: a.ID, StartedAt: a.StartedAt,
				AgentName: a.AgentName, Seq: ev.Seq, At: ev.At, From: ev.From, Text: ev.Text})
		}
	}
	return out, nil
}
