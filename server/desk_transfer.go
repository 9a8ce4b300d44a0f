package server

import (
	"context"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/relay"
)

// Transfer and hand back with a reason (docs/desk.md): the agent holding a conversation
// gives it to a colleague who is Prêt, back to the queue, or back to the bot. The reason is
// written as an internal note first (the next agent reads it with the transcript), then the
// routing command runs (relay.Do, the agent websocket's transfer and hand_back), then the
// customer reads one system message saying what happened. Everything that can be refused is
// checked before anything is written.

// The destinations of a transfer.
const (
	toAgent = "agent"
	toQueue = "queue"
	toBot   = "bot"
)

type transferRequest struct {
	To      string `json:"to"`       // agent, queue or bot
	AgentID string `json:"agent_id"` // to agent: the colleague
	Reason  string `json:"reason"`
}

// colleague is an agent who may receive a transfer now.
type colleague struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Load     int    `json:"load"`
	Capacity int    `json:"capacity"`
}

// The customer's system message, by destination.
var transferTexts = map[string]string{
	toAgent: "Votre conseiller a transmis votre conversation à un collègue, qui a tout l'historique de votre échange : inutile de répéter votre demande.",
	toQueue: "Votre conversation est transmise à un autre conseiller, avec tout l'historique de votre échange. Merci de patienter quelques instants.",
	toBot:   "Le conseiller vous a redirigé vers l'assistant automatique. Vous pouvez continuer à écrire ici ; demandez « un conseiller » à tout moment pour en retrouver un.",
}

var (
	errTransferTo   = apperr.New(apperr.Invalid, "Choisissez où transférer : un collègue, la file d'attente ou l'assistant.")
	errNoColleague  = apperr.New(apperr.Invalid, "Choisissez le collègue à qui transférer la conversation.")
	errToSelf       = apperr.New(apperr.Invalid, "Vous ne pouvez pas vous transférer votre propre conversation.")
	errNoReason     = apperr.New(apperr.Invalid, "Indiquez le motif du transfert.")
	errColleagueOut = apperr.New(apperr.Conflict, "Ce collègue n'est plus disponible (il n'est pas Prêt ou n'a plus de place) : choisissez-en un autre ou la file d'attente.")
)

// readyColleagues is GET /desk/colleagues: the other agents who are Prêt, with a desk
// connected and room for one more conversation.
func (s *Server) readyColleagues(c echo.Context) error {
	ctx, me := c.Request().Context(), deskAgent(c)
	all, err := s.agents.accounts.List(ctx)
	if err != nil {
		return err
	}
	out := []colleague{}
	for _, a := range all {
		if a.ID == me.ID {
			continue
		}
		st, err := s.agents.router.AgentStatus(ctx, a.ID)
		if err != nil {
			return err
		}
		if available(st) {
			out = append(out, colleague{ID: a.ID, Name: a.Name, Load: st.Load, Capacity: st.Capacity})
		}
	}
	return c.JSON(http.StatusOK, map[string][]colleague{"agents": out})
}

// available says whether an agent may receive a transfer: Prêt, connected, with room.
func available(st handoff.AgentStatus) bool {
	return st.State == handoff.StateReady && st.Sockets > 0 && st.Load < st.Capacity
}

// transferConversation is POST /desk/conversations/{cid}/transfer {"to", "agent_id",
// "reason"} → 200 {"note"}.
func (s *Server) transferConversation(c echo.Context) error {
	var in transferRequest
	if err := bindDesk(c, &in); err != nil {
		return err
	}
	ctx, me, cid := c.Request().Context(), deskAgent(c), c.Param("cid")
	in.Reason = strings.TrimSpace(in.Reason)
	if err := checkTransfer(in, me.ID); err != nil {
		return err
	}
	if _, err := s.heldTask(c, cid); err != nil {
		return err
	}
	where, err := s.destination(ctx, in)
	if err != nil {
		return err
	}
	n, err := s.conv.AddNote(ctx, cid, conversation.Note{AgentID: me.ID, AgentName: me.Name, Text: where + " — motif : " + in.Reason})
	if err != nil {
		return err
	}
	cmd := relay.Command{Type: "transfer", ConversationID: cid, AgentID: in.AgentID}
	if in.To == toBot {
		cmd = relay.Command{Type: "hand_back", ConversationID: cid}
	}
	if err := s.relay.Do(ctx, me, cmd); err != nil {
		return err
	}
	s.tellCustomer(ctx, cid, transferTexts[in.To])
	return c.JSON(http.StatusOK, map[string]conversation.Note{"note": n})
}

// checkTransfer refuses what the request alone shows to be wrong.
func checkTransfer(in transferRequest, me string) error {
	switch {
	case in.To != toAgent && in.To != toQueue && in.To != toBot:
		return errTransferTo
	case in.To == toAgent && in.AgentID == "":
		return errNoColleague
	case in.To == toAgent && in.AgentID == me:
		return errToSelf
	}
	switch n := utf8.RuneCountInString(in.Reason); {
	case n == 0:
		return errNoReason
	case n > desk.MaxReason:
		return apperr.Errorf(apperr.Invalid, "Le motif dépasse %d caractères (%d saisis).", desk.MaxReason, n)
	}
	return nil
}

// destination checks that a colleague may receive the conversation and says where it goes,
// for the note.
func (s *Server) destination(ctx context.Context, in transferRequest) (string, error) {
	switch in.To {
	case toQueue:
		return "Remise en file d'attente", nil
	case toBot:
		return "Rendue à l'assistant", nil
	}
	a, err := s.agents.accounts.Get(ctx, in.AgentID)
	if apperr.CodeOf(err) == apperr.NotFound {
		return "", apperr.New(apperr.NotFound, "Ce collègue est introuvable.")
	}
	if err != nil {
		return "", err
	}
	st, err := s.agents.router.AgentStatus(ctx, a.ID)
	if err != nil {
		return "", err
	}
	if !available(st) {
		return "", errColleagueOut
	}
	return "Transférée à " + a.Name, nil
}

// tellCustomer appends a system message to the conversation; the transfer is done, so a
// failure is logged only.
func (s *Server) tellCustomer(ctx context.Context, cid, text string) {
	ev := conversation.Message(conversation.FromSystem, text, nil)
	if _, err := s.conv.Append(ctx, cid, []conversation.Event{ev}, conversation.AppendOptions{}); err != nil {
		s.log.Warn("message de transfert au client", "conversation", cid, "err", err)
	}
}
