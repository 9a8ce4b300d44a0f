package desk

import (
	"context"
	"errors"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// CreateRequest opens a new request for customer (« Nouvelle demande » without a title).
func (d *Desk) CreateRequest(ctx context.Context, customerID string, f RequestFields, by string) (Request, error) {
	if !validID(customerID) {
		return Request{}, ErrCustomerNotFound
	}
	if err := f.clean(); err != nil {
		return Request{}, err
	}
	id, home := newID(), customerHome(customerID)
	seq, err := d.seqs(ctx, 1)
	if err != nil {
		return Request{}, err
	}
	if err := d.setLocators(ctx, home, id); err != nil {
		return Request{}, err
	}
	r, err := d.run(ctx, createRequestScript, by, home, []string{d.hkey(home, "request", id)},
		id, customerID, f.Title, f.Description, seq)
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
	_, h, err := d.record(ctx, "request", id, ErrRequestNotFound)
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
	var r reply
	err := d.retryMoved(ctx, id, func(home string) error {
		var err error
		r, err = d.run(ctx, patchRequestScript, by, home, []string{d.hkey(home, "request", id)},
			id, strconv.FormatInt(version, 10), hasTitle, title, hasDesc, desc, status)
		if err != nil {
			return err
		}
		return r.refusal(ErrRequestNotFound, func(h map[string]string) any { return requestFromHash(h) })
	})
	if err != nil {
		return Request{}, err
	}
	req := requestFromHash(r.rec(0))
	return req, d.indexMessages(ctx, req, r.rec(1))
}

// indexMessages puts the left messages of request req (activity id -> filing order) in the
// index of left messages while it is open, and takes them out while it is closed.
func (d *Desk) indexMessages(ctx context.Context, req Request, msgs map[string]string) error {
	if len(msgs) == 0 {
		return nil
	}
	var err error
	if req.Status == StatusOpen {
		zs := make([]redis.Z, 0, len(msgs))
		for id, seq := range msgs {
			score, _ := strconv.ParseFloat(seq, 64)
			zs = append(zs, redis.Z{Score: score, Member: id})
		}
		err = d.write(ctx, d.key("messages"), func(c redis.Cmdable) error { return c.ZAdd(ctx, d.key("messages"), zs...).Err() })
	} else {
		ids := make([]any, 0, len(msgs))
		for id := range msgs {
			ids = append(ids, id)
		}
		err = d.write(ctx, d.key("messages"), func(c redis.Cmdable) error { return c.ZRem(ctx, d.key("messages"), ids...).Err() })
	}
	if err != nil {
		return unavailable(err)
	}
	return nil
}

// Journey returns customer id with their requests, newest first, each with its activities,
// newest first.
func (d *Desk) Journey(ctx context.Context, id string) (Journey, error) {
	c, err := d.Customer(ctx, id)
	if err != nil {
		return Journey{}, err
	}
	home := customerHome(id)
	ids, err := d.st.Client.ZRevRange(ctx, d.hkey(home, "requests"), 0, -1).Result()
	if err != nil {
		return Journey{}, unavailable(err)
	}
	j := Journey{Customer: c, Requests: []JourneyRequest{}}
	for _, rid := range ids {
		jr, err := d.journeyRequest(ctx, home, rid)
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

// journeyRequest reads request id of home with its activities, newest first.
func (d *Desk) journeyRequest(ctx context.Context, home, id string) (JourneyRequest, error) {
	h, err := d.hash(ctx, d.hkey(home, "request", id), ErrRequestNotFound)
	if err != nil {
		return JourneyRequest{}, err
	}
	r := requestFromHash(h)
	ids, err := d.st.Client.ZRevRange(ctx, d.hkey(home, "request", id, "activities"), 0, -1).Result()
	if err != nil {
		return JourneyRequest{}, unavailable(err)
	}
	jr := JourneyRequest{Request: r, Activities: []Activity{}}
	for _, aid := range ids {
		h, err := d.hash(ctx, d.hkey(home, "activity", aid), ErrActivityNotFound)
		if errors.Is(err, ErrActivityNotFound) {
			continue
		}
		if err != nil {
			return JourneyRequest{}, err
		}
		jr.Activities = append(jr.Activities, activityFromHash(h))
	}
	return jr, nil
}
