package server

import (
	"context"
	"net/http"
	"slices"
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
	minQuery      = desk.MinTextQuery
	maxQuery      = desk.MaxTextQuery
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

// maxFound is the most conversations one desk-wide search answers.
const maxFound = 20

// foundConversation is a conversation of the desk holding every word of a search, with the
// line that holds the most of them (the latest such line).
type foundConversation struct {
	ConversationID string    `json:"conversation_id"`
	ActivityID     string    `json:"activity_id"`
	CustomerID     string    `json:"customer_id"`   // "" when the customer is unknown
	CustomerName   string    `json:"customer_name"` // ""
	AgentName      string    `json:"agent_name"`
	StartedAt      string    `json:"started_at"`
	EndedAt        string    `json:"ended_at"`
	Seq            int64     `json:"seq"`
	At             time.Time `json:"at"`
	From           string    `json:"from"`
	Text           string    `json:"text"`
}

type deskTextSearch struct {
	Conversations []foundConversation `json:"conversations"`
	More          bool                `json:"more"`
}

// searchDesk is GET /desk/conversations?q=…: the conversations the desk handled, of any
// customer, holding every word of q, newest first (desk.SearchText), each with its line.
func (s *Server) searchDesk(c echo.Context) error {
	ctx := c.Request().Context()
	found, err := s.records.SearchText(ctx, c.QueryParam("q"))
	if err != nil {
		return err
	}
	out := deskTextSearch{Conversations: []foundConversation{}, More: found.More}
	for _, h := range found.Hits {
		if len(out.Conversations) == maxFound {
			out.More = true
			break
		}
		f, ok, err := s.foundIn(ctx, h, found.Words)
		if err != nil {
			return err
		}
		if ok {
			out.Conversations = append(out.Conversations, f)
		}
	}
	return c.JSON(http.StatusOK, out)
}

// foundIn completes hit h with its interaction and its line; false when the desk or the
// conversation forgot it (expired, erased).
func (s *Server) foundIn(ctx context.Context, h desk.TextHit, words []string) (foundConversation, bool, error) {
	in, err := s.records.OfConversation(ctx, h.ConversationID)
	if apperr.CodeOf(err) == apperr.NotFound { // no interaction, or its records erased meanwhile
		return foundConversation{}, false, nil
	}
	if err != nil {
		return foundConversation{}, false, err
	}
	ev, ok, err := s.bestLine(ctx, h, words)
	if err != nil || !ok {
		return foundConversation{}, false, err
	}
	a := in.Activity
	f := foundConversation{ConversationID: h.ConversationID, ActivityID: a.ID, AgentName: a.AgentName,
		StartedAt: a.StartedAt, EndedAt: a.EndedAt, Seq: ev.Seq, At: ev.At, From: ev.From, Text: ev.Text}
	if in.Customer != nil {
		f.CustomerID, f.CustomerName = in.Customer.ID, in.Customer.Name
	}
	return f, true, nil
}

// bestLine reads the messages h names (one per word at most) and keeps the one holding the
// most words, the latest among them; false when none is left.
func (s *Server) bestLine(ctx context.Context, h desk.TextHit, words []string) (conversation.Event, bool, error) {
	var best conversation.Event
	most := 0
	read := map[int64]bool{}
	for _, w := range words {
		seq := h.Seqs[w]
		if seq <= 0 || read[seq] {
			continue
		}
		read[seq] = true
		events, err := s.conv.Events(ctx, h.ConversationID, seq-1, 1)
		if err != nil && apperr.CodeOf(err) != apperr.NotFound {
			return best, false, err
		}
		if len(events) == 0 || events[0].Seq != seq || events[0].Type != conversation.TypeMessage {
			continue
		}
		n := holds(events[0].Text, words)
		if n > most || n == most && seq > best.Seq {
			best, most = events[0], n
		}
	}
	return best, most > 0, nil
}

// holds counts the words of words that text holds, as the text index reads it.
func holds(text string, words []string) int {
	has := desk.TextWords(text)
	n := 0
	for _, w := range words {
		if slices.Contains(has, w) {
			n++
		}
	}
	return n
}
