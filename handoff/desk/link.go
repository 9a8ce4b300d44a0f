package desk

import (
	"context"
	"encoding/json"
	"strings"
)

// link files activity aid under customer cu (see Link). An activity without a customer lives
// in its request's home {r:<request>}, another slot than the customer's {c:<id>}: the move is
// three scripts, each in one slot, and each idempotent (see the package doc): move_out.lua
// freezes the request and its activities in the old home, move_in.lua copies them to the
// customer's home, the locators are pointed there, and move_done.lua deletes the old copies.
// A write meeting a frozen record finishes the move (finishMove) and goes on in the new home.
func (d *Desk) link(ctx context.Context, aid, cu, by string) (Interaction, error) {
	if _, err := d.Customer(ctx, cu); err != nil {
		return Interaction{}, err
	}
	home, err := d.locate(ctx, aid)
	if err != nil {
		return Interaction{}, err
	}
	switch {
	case home == "":
		return Interaction{}, ErrNoInteraction
	case home == customerHome(cu):
		a, err := d.Activity(ctx, aid)
		if err != nil {
			return Interaction{}, err
		}
		return d.around(ctx, a)
	case strings.HasPrefix(home, "c:"):
		return Interaction{}, ErrLinkedElsewhere
	}
	return d.move(ctx, home, aid, cu, by)
}

// move runs the three steps of a link of activity aid, in home, to customer cu.
func (d *Desk) move(ctx context.Context, home, aid, cu, by string) (Interaction, error) {
	out, err := d.run(ctx, moveOutScript, by, home, []string{d.hkey(home, "activity", aid)}, aid, cu)
	if err == nil && out.status == "not_found" {
		err = ErrNoInteraction
	}
	if err == nil {
		err = out.refusal(ErrNoInteraction, nil)
	}
	if err != nil {
		return Interaction{}, err
	}
	rq := out.rec(0)
	moved, _ := json.Marshal(map[string]any{"request": rq, "activities": out.recs[1:]})
	to := customerHome(cu)
	in, err := d.run(ctx, moveInScript, by, to, []string{d.hkey(to, "activity", aid)}, aid, cu, string(moved))
	if err == nil && in.status == "customer_not_found" {
		d.run(ctx, moveDoneScript, by, home, []string{d.hkey(home, "request", rq["id"])}, rq["id"], cu, "undo")
		return Interaction{}, ErrCustomerNotFound
	}
	if err == nil {
		err = in.refusal(ErrNoInteraction, nil)
	}
	if err != nil {
		return Interaction{}, err
	}
	ids := make([]string, 0, len(out.recs))
	for _, a := range out.recs[1:] {
		ids = append(ids, a["id"])
	}
	if in.detail != "1" {
		ids = append(ids, rq["id"])
	} else if _, err := d.del(ctx, d.locatorKey(rq["id"])); err != nil {
		return Interaction{}, err
	}
	if err := d.setLocators(ctx, to, ids...); err != nil {
		return Interaction{}, err
	}
	if _, err := d.run(ctx, moveDoneScript, by, home, []string{d.hkey(home, "request", rq["id"])}, rq["id"], cu, "done"); err != nil {
		return Interaction{}, err
	}
	return in.interaction(), nil
}

// finishMove completes the move of record id (a request or an activity) frozen in home.
func (d *Desk) finishMove(ctx context.Context, home, id string) error {
	h, _ := d.st.Client.HGetAll(ctx, d.hkey(home, "activity", id)).Result()
	aid := h["id"]
	if len(h) == 0 { // a request: move it through one of its activities
		acts, err := d.st.Client.ZRange(ctx, d.hkey(home, "request", id, "activities"), 0, 0).Result()
		if err != nil {
			return unavailable(err)
		}
		if len(acts) == 0 {
			return nil
		}
		aid = acts[0]
		h, _ = d.st.Client.HGetAll(ctx, d.hkey(home, "request", id)).Result()
	}
	if h["moved_to"] == "" {
		return nil
	}
	_, err := d.move(ctx, home, aid, h["moved_to"], "")
	return err
}
