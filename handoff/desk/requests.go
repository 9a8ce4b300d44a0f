package desk

import (
	"context"
	"errors"
	"strconv"
)

// CreateRequest opens a new request for customer (« Nouvelle demande » without a title).
func (d *Desk) CreateRequest(ctx context.Context, customerID string, f RequestFields, by string) (Request, error) {
	if !validID(customerID) {
		return Request{}, ErrCustomerNotFound
	}
	if err := f.clean(); err != nil {
		return Request{}, err
	}
	id := newID()
	keys := append(d.customerKeys(customerID), d.key("request", id))
	r, err := d.run(ctx, createRequestScript, by, keys, id, customerID, f.Title, f.Description)
	if err != nil {
		return Request{}, err
	}
	if err := r.refusal(ErrCustomerNotFound, nil); err != nil {
		return Request{}, err
	}
	return requestFromHash(r.rec(0)), nil
}

// Request returns a request by id.
func (d *Desk) Request(ctx context.Context, id string) (Request, error) {
	if !validID(id) {
		return Request{}, ErrRequestNotFound
	}
	h, err := d.hash(ctx, d.key("request", id), ErrRequestNotFound)
	if err != nil {
		return Request{}, err
	}
	return requestFromHash(h), nil
}

// PatchRequest changes the fields p sets on request id, if it is still at version:
// otherwise a *StaleError with the current request, and nothing is written.
func (d *Desk) PatchRequest(ctx context.Context, id string, version int64, p RequestPatch, by string) (Request, error) {
	if !validID(id) {
		return Request{}, ErrRequestNotFound
	}
	if err := p.clean(); err != nil {
		return Request{}, err
	}
	has := func(s *string) (string, string) {
		if s == nil {
			return "0", ""
		}
		return "1", *s
	}
	hasTitle, title := has(p.Title)
	hasDesc, desc := has(p.Description)
	status := ""
	if p.Status != nil {
		status = string(*p.Status)
	}
	r, err := d.run(ctx, patchRequestScript, by, []string{d.key("request", id), d.key("request", id, "activities")},
		id, strconv.FormatInt(version, 10),
		hasTitle, title, hasDesc, desc, status)
	if err != nil {
		return Request{}, err
	}
	if err := r.refusal(ErrRequestNotFound, func(h map[string]string) any { return requestFromHash(h) }); err != nil {
		return Request{}, err
	}
	return requestFromHash(r.rec(0)), nil
}

// Journey returns customer id with their requests, newest first, each with its activities,
// newest first.
func (d *Desk) Journey(ctx context.Context, id string) (Journey, error) {
	c, err := d.Customer(ctx, id)
	if err != nil {
		return Journey{}, err
	}
	ids, err := d.st.Client.ZRevRange(ctx, d.key("customer", id, "requests"), 0, -1).Result()
	if err != nil {
		return Journey{}, unavailable(err)
	}
	j := Journey{Customer: c, Requests: []JourneyRequest{}}
	for _, rid := range ids {
		jr, err := d.journeyRequest(ctx, rid)
		if errors.Is(err, ErrRequestNotFound) {
			continue
		}
		if err != nil {
			return Journey{}, err
		}
		j.Requests = append(j.Requests, jr)
	}
	return j, nil
}

func (d *Desk) journeyRequest(ctx context.Context, id string) (JourneyRequest, error) {
	r, err := d.Request(ctx, id)
	if err != nil {
		return JourneyRequest{}, err
	}
	ids, err := d.st.Client.ZRevRange(ctx, d.key("request", id, "activities"), 0, -1).Result()
	if err != nil {
		return JourneyRequest{}, unavailable(err)
	}
	jr := JourneyRequest{Request: r, Activities: []Activity{}}
	for _, aid := range ids {
		a, err := d.Activity(ctx, aid)
		if errors.Is(err, ErrActivityNotFound) {
			continue
		}
		if err != nil {
			return JourneyRequest{}, err
		}
		jr.Activities = append(jr.Activities, a)
	}
	return jr, nil
}
