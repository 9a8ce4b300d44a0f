package desk

import (
	"context"
	"strings"
)

// What a retention purge reads: every customer, and the requests no customer owns. Both scan
// the desk's keys, which is fine for a purge run now and then, not for a request's path.

// CustomerIDs returns the id of every customer.
func (d *Desk) CustomerIDs(ctx context.Context) ([]string, error) {
	return d.recordIDs(ctx, "customer")
}

// AnonymousRequests returns the requests without a customer, with their activities.
func (d *Desk) AnonymousRequests(ctx context.Context) ([]JourneyRequest, error) {
	ids, err := d.recordIDs(ctx, "request")
	if err != nil {
		return nil, err
	}
	var out []JourneyRequest
	for _, id := range ids {
		r, err := d.journeyRequest(ctx, id)
		if err != nil {
			continue // gone meanwhile
		}
		if r.CustomerID == "" {
			out = append(out, r)
		}
	}
	return out, nil
}

// recordIDs returns the ids of the records of kind (<prefix>{desk}:<kind>:<id>, without the
// keys that hang under a record, such as <kind>:<id>:activities).
func (d *Desk) recordIDs(ctx context.Context, kind string) ([]string, error) {
	keys, err := d.scan(ctx, d.key(kind, "*"))
	if err != nil {
		return nil, unavailable(err)
	}
	head := d.key(kind, "")
	ids := make([]string, 0, len(keys))
	for _, k := range keys {
		if id := strings.TrimPrefix(k, head); !strings.Contains(id, ":") && validID(id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}
