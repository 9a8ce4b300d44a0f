package desk

import (
	"context"
	"errors"
)

// MaxMessages is the most left messages Messages returns.
const MaxMessages = 50

// Messages returns the left messages of open requests, newest first, at most MaxMessages:
// what the desk lists under « Messages laissés ». Its index (a sorted set of activity ids
// outside every home) is written before a message is filed and kept by LeaveMessage,
// PatchRequest and Erase; each entry is checked against its records here.
func (d *Desk) Messages(ctx context.Context) ([]Interaction, error) {
	ids, err := d.st.Client.ZRevRange(ctx, d.key("messages"), 0, 4*MaxMessages-1).Result()
	if err != nil {
		return nil, unavailable(err)
	}
	out := []Interaction{}
	for _, id := range ids {
		in, err := d.Message(ctx, id)
		if errors.Is(err, ErrMessageNotFound) || errors.Is(err, ErrRequestNotFound) || errors.Is(err, ErrCustomerNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if in.Request.Status == StatusOpen {
			out = append(out, in)
		}
		if len(out) == MaxMessages {
			break
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
	if _, err := d.Message(ctx, id); err != nil {
		return Interaction{}, err
	}
	return d.link(ctx, id, customerID, by)
}
