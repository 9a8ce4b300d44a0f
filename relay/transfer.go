package relay

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/handoff/desk"
)

// A transfer with a reason (docs/desk.md): the agent holding a conversation gives it to a
// colleague who is Prêt, back to the queue, or back to the bot. Everything that can be
// refused is checked before anything is written; then the reason is written as an internal
// note (the next agent reads it with the transcript), the routing command runs (Do's transfer
// or hand_back), and the customer reads one system message saying what happened.

// The destinations of a transfer.
const (
	ToAgent = "agent"
	ToQueue = "queue"
	ToBot   = "bot"
)

// Transfer is an agent's request to pass on a conversation they hold.
type Transfer struct {
	ConversationID string
	To             string // ToAgent, ToQueue or ToBot
	AgentID        string // ToAgent: the colleague
	Reason         string
}

// Colleague is an agent who may receive a transfer now.
type Colleague struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Load     int    `json:"load"`
	Capacity int    `json:"capacity"`
}

// transferTexts are the customer's system message, by destination.
var transferTexts = map[string]string{
	ToAgent: "Votre conseiller a transmis votre conversation à un collègue, qui a tout l'historique de votre échange : inutile de répéter votre demande.",
	ToQueue: "Votre conversation est transmise à un autre conseiller, avec tout l'historique de votre échange. Merci de patienter quelques instants.",
	ToBot:   "Le conseiller vous a redirigé vers l'assistant automatique. Vous pouvez continuer à écrire ici ; demandez « un conseiller » à tout moment pour en retrouver un.",
}

var (
	errTransferTo   = apperr.New(apperr.Invalid, "Choisissez où transférer : un collègue, la file d'attente ou l'assistant.")
	errNoColleague  = apperr.New(apperr.Invalid, "Choisissez le collègue à qui transférer la conversation.")
	errToSelf       = apperr.New(apperr.Invalid, "Vous ne pouvez pas vous transférer votre propre conversation.")
	errNoReason     = apperr.New(apperr.Invalid, "Indiquez le motif du transfert.")
	errColleagueOut = apperr.New(apperr.Conflict, "Ce collègue n'est plus disponible (il n'est pas Prêt ou n'a plus de place) : choisissez-en un autre ou la file d'attente.")
)

// Colleagues are the agents other than me who are Prêt, with a desk connected and room for
// one more conversation.
func (r *Relay) Colleagues(ctx context.Context, me string) ([]Colleague, error) {
	all, err := r.accounts.List(ctx)
	if err != nil {
		return nil, err
	}
	out := []Colleague{}
	for _, a := range all {
		if a.ID == me {
			continue
		}
		st, err := r.router.AgentStatus(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		if available(st) {
			out = append(out, Colleague{ID: a.ID, Name: a.Name, Load: st.Load, Capacity: st.Capacity})
		}
	}
	return out, nil
}

// available says whether an agent may receive a transfer: Prêt, connected, with room.
func available(st handoff.AgentStatus) bool {
	return st.State == handoff.StateReady && st.Sockets > 0 && st.Load < st.Capacity
}

// Pass runs agent's transfer tr and returns the note that keeps its reason.
func (r *Relay) Pass(ctx context.Context, agent handoff.Agent, tr Transfer) (conversation.Note, error) {
	tr.Reason = strings.TrimSpace(tr.Reason)
	if err := checkTransfer(tr, agent.ID); err != nil {
		return conversation.Note{}, err
	}
	if _, err := r.HeldTask(ctx, agent.ID, tr.ConversationID); err != nil {
		return conversation.Note{}, err
	}
	where, err := r.destination(ctx, tr)
	if err != nil {
		return conversation.Note{}, err
	}
	n, err := r.conv.AddNote(ctx, tr.ConversationID, conversation.Note{AgentID: agent.ID, AgentName: agent.Name,
		Text: where + " — motif : " + tr.Reason})
	if err != nil {
		return conversation.Note{}, err
	}
	cmd := Command{Type: "transfer", ConversationID: tr.ConversationID, AgentID: tr.AgentID}
	if tr.To == ToBot {
		cmd = Command{Type: "hand_back", ConversationID: tr.ConversationID}
	}
	if err := r.Do(ctx, agent, cmd); err != nil {
		return conversation.Note{}, err
	}
	r.tellCustomer(ctx, tr.ConversationID, transferTexts[tr.To])
	return n, nil
}

// checkTransfer refuses what the request alone shows to be wrong.
func checkTransfer(tr Transfer, me string) error {
	switch {
	case tr.To != ToAgent && tr.To != ToQueue && tr.To != ToBot:
		return errTransferTo
	case tr.To == ToAgent && tr.AgentID == "":
		return errNoColleague
	case tr.To == ToAgent && tr.AgentID == me:
		return errToSelf
	}
	switch n := utf8.RuneCountInString(tr.Reason); {
	case n == 0:
		return errNoReason
	case n > desk.MaxReason:
		return apperr.Errorf(apperr.Invalid, "Le motif dépasse %d caractères (%d saisis).", desk.MaxReason, n)
	}
	return nil
}

// destination checks that a colleague may receive the conversation and says where it goes,
// for the note.
func (r *Relay) destination(ctx context.Context, tr Transfer) (string, error) {
	switch tr.To {
	case ToQueue:
		return "Remise en file d'attente", nil
	case ToBot:
		return "Rendue à l'assistant", nil
	}
	a, err := r.accounts.Get(ctx, tr.AgentID)
	if apperr.CodeOf(err) == apperr.NotFound {
		return "", apperr.New(apperr.NotFound, "Ce collègue est introuvable.")
	}
	if err != nil {
		return "", err
	}
	st, err := r.router.AgentStatus(ctx, a.ID)
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
func (r *Relay) tellCustomer(ctx context.Context, id, text string) {
	ev := conversation.Message(conversation.FromSystem, text, nil)
	if _, err := r.conv.Append(ctx, id, []conversation.Event{ev}, conversation.AppendOptions{}); err != nil {
		r.log.Warn("message de transfert au client", "conversation", id, "err", err)
	}
}
