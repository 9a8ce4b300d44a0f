package relay

import (
	"context"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/privacy"
)

// Forget erases conversation id for its customer (token): « Effacer cette conversation » in
// the widget. Everything held about the conversation goes (privacy.Service.Erase: its
// routing tasks — a live one ends and the agent's desk sees it go —, its keys, the bot's
// session, its desk activities), with a proof of erasure in the audit trail that names the
// customer as the one who asked. Erasing a conversation already gone is not an error.
func (r *Relay) Forget(ctx context.Context, id, token, from string) error {
	if r.privacy == nil {
		return apperr.New(apperr.Unavailable, "L'effacement n'est pas disponible sur ce serveur.")
	}
	if _, err := r.conv.Authorize(ctx, id, token); err != nil {
		return err
	}
	ctx = context.WithoutCancel(ctx) // once started, finish: a half-erased conversation helps nobody
	r.states.take(id, token, "")
	_, err := r.privacy.Erase(ctx, privacy.Subject{ConversationID: id}, privacy.Actor{By: "client", From: from})
	return err
}
