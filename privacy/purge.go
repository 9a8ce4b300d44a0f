package privacy

import (
	"context"
	"time"

	"github.com/relais/relais/handoff/desk"
)

// The retention periods of the desk's records (docs/privacy.md, « Retention »). A conversation's
// transcript already expires on its own (RELAIS_CONVERSATION_TTL after its last event).
const (
	// DefaultCustomerRetention: the CNIL's reference for customer data, three years after the
	// last contact.
	DefaultCustomerRetention = 3 * 365 * 24 * time.Hour
	// DefaultRequestRetention: the requests no customer owns (an anonymous customer's left
	// message, a chat never linked), one year after their last change.
	DefaultRequestRetention = 365 * 24 * time.Hour
)

// Retention says how long records are kept after their last contact; 0 keeps them.
type Retention struct {
	Customers time.Duration // a customer, with all their records, after their last contact
	Requests  time.Duration // a request without a customer, after its last change
}

// Purged is one subject past its retention.
type Purged struct {
	Subject     string    // SubjectCustomer, or "request" for a request without a customer
	ID          string    // the customer's or the request's id
	LastContact time.Time // what its retention counts from
}

// Purge erases what is past its retention at the service's clock, or only lists it with
// dryRun: each customer whose last contact (their record's last change, their last request
// or activity) is older than r.Customers, as Erase does, and each request without a customer
// older than r.Requests with its conversations. Each erasure is recorded in the audit trail.
// Any process may run it at any time: erasing what is gone erases nothing.
func (s *Service) Purge(ctx context.Context, r Retention, dryRun bool, by Actor) ([]Purged, error) {
	now := s.now()
	var out []Purged
	if r.Customers > 0 {
		ids, err := s.desk.CustomerIDs(ctx)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			j, err := s.desk.Journey(ctx, id)
			if err != nil {
				continue // erased meanwhile
			}
			if last := lastContact(j); now.Sub(last) > r.Customers {
				out = append(out, Purged{Subject: SubjectCustomer, ID: id, LastContact: last})
				if !dryRun {
					if _, err := s.Erase(ctx, Subject{CustomerID: id}, by); err != nil {
						return out, err
					}
				}
			}
		}
	}
	if r.Requests > 0 {
		reqs, err := s.desk.AnonymousRequests(ctx)
		if err != nil {
			return out, err
		}
		for _, jr := range reqs {
			if last := requestContact(jr); now.Sub(last) > r.Requests {
				out = append(out, Purged{Subject: "request", ID: jr.ID, LastContact: last})
				if !dryRun {
					if err := s.eraseRequest(ctx, jr, by); err != nil {
						return out, err
					}
				}
			}
		}
	}
	return out, nil
}

// eraseRequest erases a request without a customer through its conversations: each one, with
// its activities wherever they are filed (the request, left empty, goes with them).
func (s *Service) eraseRequest(ctx context.Context, jr desk.JourneyRequest, by Actor) error {
	for _, a := range jr.Activities {
		if a.ConversationID == "" {
			continue
		}
		if _, err := s.Erase(ctx, Subject{ConversationID: a.ConversationID}, by); err != nil {
			return err
		}
	}
	return nil
}

// lastContact is the latest of a customer's record and their requests' and activities' times.
func lastContact(j desk.Journey) time.Time {
	last := latest(time.Time{}, j.Customer.CreatedAt, j.Customer.UpdatedAt)
	for _, r := range j.Requests {
		if at := requestContact(r); at.After(last) {
			last = at
		}
	}
	return last
}

// requestContact is the latest of a request's and its activities' times.
func requestContact(r desk.JourneyRequest) time.Time {
	last := latest(time.Time{}, r.CreatedAt, r.UpdatedAt, r.ClosedAt)
	for _, a := range r.Activities {
		last = latest(last, a.CreatedAt, a.StartedAt, a.EndedAt, a.UpdatedAt)
	}
	return last
}

// latest is the latest of t and the RFC 3339 times given ("" and unreadable ones skipped).
func latest(t time.Time, times ...string) time.Time {
	for _, v := range times {
		if at, err := time.Parse(time.RFC3339Nano, v); err == nil && at.After(t) {
			t = at
		}
	}
	return t
}

// PurgeDue runs Purge unless a process ran it less than every ago: the process that claims
// the period (one Redis key set if absent, living every) purges, the others return false
// without reading anything. So every instance of the server may call it often: the purge runs
// once per period, and each item goes once (erasing what is gone erases nothing).
func (s *Service) PurgeDue(ctx context.Context, r Retention, every time.Duration, by Actor) (bool, []Purged, error) {
	claimed, err := s.st.Client.SetNX(ctx, s.PurgeKey(), by.From, every).Result()
	if err != nil {
		return false, nil, unavailable(err)
	}
	if !claimed {
		return false, nil, nil
	}
	listed, err := s.Purge(ctx, r, false, by)
	return true, listed, err
}

// PurgeKey is the claim of the current purge period (PurgeDue).
func (s *Service) PurgeKey() string { return s.st.Key("privacy", "purge") }
