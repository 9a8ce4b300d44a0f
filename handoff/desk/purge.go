package desk

import (
	"context"
	"strings"
)

// What a retention purge reads: every customer, and the requests no customer owns. Both scan
// the desk's keys on every master, which is fine for a purge run now and then, not for a
// request's path.

// CustomerIDs returns the id of every customer.
func (d *Desk) CustomerIDs(ctx context.Context) ([]string, error) {
	recs, err := d.records(ctx, "customer")
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(recs))
	for _, r := range recs {
		if id := strings.TrimPrefix(r.home, "c:"); r.home != id && validID(id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// AnonymousRequests returns the requests without a customer, with their activities.
func (d *Desk) AnonymousRequests(ctx context.Context) ([]JourneyRequest, error) {
	recs, err := d.records(ctx, "request")
	if err != nil {
		return nil, err
	}
	var out []JourneyRequest
	for _, rec := range recs {
		if !strings.HasPrefix(rec.home, "r:") || rec.h["customer_id"] != "" || rec.h["moved_to"] != "" {
			continue
		}
		r, err := d.journeyRequest(ctx, rec.home, rec.h["id"])
		if err != nil {
			continue // gone meanwhile
		}
		out = append(out, r)
	}
	return out, nil
}
