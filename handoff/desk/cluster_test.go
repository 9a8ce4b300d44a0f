package desk_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/store/storetest"
)

// TestUniqueEmailOnACluster: on a Redis Cluster of three masters, eight agents creating a
// customer with the same e-mail at once: exactly one is created, the seven others are told
// who has it; the records then work as on one Redis (a request, the journey).
func TestUniqueEmailOnACluster(t *testing.T) {
	d, ctx := desk.New(storetest.Cluster(t), nil), context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	created, dups := []desk.Customer{}, 0
	for i := range 8 {
		wg.Go(func() {
			c, err := d.CreateCustomer(ctx, desk.CustomerFields{Name: "Yanis " + string(rune('A'+i)), Email: "yanis@example.fr"}, "agent-1")
			mu.Lock()
			defer mu.Unlock()
			if _, ok := errors.AsType[*desk.DuplicateError](err); ok {
				dups++
			} else if err == nil {
				created = append(created, c)
			} else {
				t.Errorf("create: %v", err)
			}
		})
	}
	wg.Wait()
	if len(created) != 1 || dups != 7 {
		t.Fatalf("got %d created and %d duplicates, want 1 and 7", len(created), dups)
	}
	if _, err := d.CreateRequest(ctx, created[0].ID, desk.RequestFields{Title: "Demande"}, "agent-1"); err != nil {
		t.Fatal(err)
	}
	j, err := d.Journey(ctx, created[0].ID)
	if err != nil || len(j.Requests) != 1 {
		t.Fatalf("journey: %+v %v", j, err)
	}
}
