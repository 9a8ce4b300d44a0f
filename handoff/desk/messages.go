package desk

import (
	"context"
	"errors"
)

// MaxMessages is the most left messages Messages returns.
const MaxMessages = 50

// Messages returns the left messages of open requests, newest first, at most MaxMessages:
// what the desk lists under « Messages laissés ». The index it reads is kept by the scripts
// that file a message, link it, and close or reopen its request.
func (d *Desk) Messages(ctx context.Context) ([]Interaction, error) {
	r, err := d.run(ctx, messagesScript, "", nil, MaxMessages)
	if err != nil {
		return nil, err
	}
	out := make([]Interaction, 0, len(r.recs)/3)
	for i := 0; i+2 < len(r.recs); i += 3 {
		in := reply{recs: r.recs[i : i+3]}.interaction()
		if in.Activity.ID != "" && in.Request.ID != "" {
			out = append(out, in)
		}
	}
	return out, nil
}

// Message returns the left message whose activity is id, with its request and customer;
// ErrMessageNotFound when id is not a message activity.
func (d *Desk) Message(ctx context.Context, id string) (Interaction, error) {
	if !validID(id) {
		return Interaction{}, ErrMessageNotFound
	}
	a, err := d.Activity(ctx, id)
	switch {
	case errors.Is(err, ErrActivityNotFound), err == nil && a.Kind != KindMessage:
		return Interaction{}, ErrMessageNotFound
	case err != nil:
		return Interaction{}, err
	}
	return d.around(ctx, a)
}

// LinkMessage links the left message whose activity is id to a customer, as Link links an
// interaction an agent holds: a message is held by no agent, any agent may file it.
// ErrLinkedElsewhere when it is already another customer's.
func (d *Desk) LinkMessage(ctx context.Context, id, customerID, by string) (Interaction, error) {
	if !validID(id) {
		return Interaction{}, ErrMessageNotFound
	}
	if !validID(customerID) {
		return Interaction{}, ErrCustomerNotFound
	}
	keys := append([]string{d.key("activity", id)}, d.customerKeys(customerID)...)
	r, err := d.run(ctx, linkMessageScript, by, keys, id, customerID)
	return interactionOf(r, err)
}
