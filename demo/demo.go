// Package demo is the small company backend that the built-in bot's webhooks reach on a
// machine where none is configured: `go run .` on the embedded store, with no ORDER_API_URL,
// STORE_API_URL or APPOINTMENT_API_URL. The showcase flows (order status, nearest shop,
// appointments) then end with a plausible answer instead of « Je ne parviens pas à consulter
// le suivi ». It never answers for a webhook whose URL is set: that one is called as usual.
package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/url"
	"os"
	"time"

	"github.com/relais/relais/dialog"
	"github.com/relais/relais/dialog/slots"
)

// Caller answers the built-in bot's webhooks whose URL is not configured, and passes every
// other call to Next.
type Caller struct {
	Next   dialog.Caller
	Getenv func(string) string // expands ${VAR} in URLs like dialog.HTTPCaller; default os.Getenv
	Now    func() time.Time    // default time.Now
}

var _ dialog.Caller = Caller{}

// answers are the demo answers, by webhook name.
var answers = map[string]func(c dialog.Call, now time.Time) map[string]any{
	"order_status":  orderStatus,
	"store_locator": storeLocator,
	"appointment":   appointment,
}

// Call answers from the demo when the webhook is one of the built-in bot's and its URL has no
// host once expanded (its environment variable is unset); otherwise it calls Next.
func (d Caller) Call(ctx context.Context, c dialog.Call) (map[string]any, error) {
	answer, known := answers[c.Name]
	if !known || configured(c.Webhook.URL, d.Getenv) {
		return d.Next.Call(ctx, c)
	}
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	return answer(c, now()), nil
}

func configured(raw string, getenv func(string) string) bool {
	if getenv == nil {
		getenv = os.Getenv
	}
	u, err := url.Parse(os.Expand(raw, getenv))
	return err == nil && u.Host != ""
}

// pick chooses among n answers from a value, the same each time.
func pick(value string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(value))
	return int(h.Sum32() % uint32(n))
}

func orderStatus(c dialog.Call, now time.Time) map[string]any {
	day := func(d int) string { return slots.FrenchWeekdayDate(now.AddDate(0, 0, d).Format("2006-01-02")) }
	statuses := []string{
		"en préparation : elle partira de notre entrepôt " + day(1),
		"expédiée : livraison prévue " + day(2) + " entre 9 h et 13 h",
		"livrée " + day(-1) + " en point relais",
	}
	return map[string]any{"status": statuses[pick(c.Slots["order_number"], len(statuses))]}
}

// shops are the demo's boutiques, by département.
var shops = map[string][2]string{
	"75": {"Paris Opéra", "12 boulevard des Capucines, 75009 Paris"},
	"69": {"Lyon Part-Dieu", "17 rue du Docteur Bouchut, 69003 Lyon"},
	"13": {"Marseille Canebière", "54 La Canebière, 13001 Marseille"},
	"33": {"Bordeaux Mériadeck", "57 rue du Château d'Eau, 33000 Bordeaux"},
	"31": {"Toulouse Capitole", "8 rue d'Alsace-Lorraine, 31000 Toulouse"},
	"59": {"Lille Euralille", "100 centre commercial Euralille, 59777 Lille"},
	"44": {"Nantes Commerce", "2 place du Commerce, 44000 Nantes"},
	"67": {"Strasbourg Kléber", "3 place Kléber, 67000 Strasbourg"},
	"06": {"Nice Masséna", "25 avenue Jean Médecin, 06000 Nice"},
}

// shop is the demo boutique nearest a postal code.
func shop(postalCode string) (name, address string) {
	if len(postalCode) >= 2 {
		if s, ok := shops[postalCode[:2]]; ok {
			return s[0], s[1]
		}
	}
	return "Alizé Télécom Centre-ville", "1 place de la Gare, " + postalCode
}

func storeLocator(c dialog.Call, _ time.Time) map[string]any {
	name, address := shop(c.Slots["postal_code"])
	return map[string]any{"name": name, "address": address, "hours": "du lundi au samedi, de 10 h à 19 h"}
}

func appointment(c dialog.Call, _ time.Time) map[string]any {
	name, _ := shop(c.Slots["appointment_postal_code"])
	if _, moved := c.Slots["appointment_ref"]; moved {
		name = "habituelle"
	}
	ref := fmt.Sprintf("RDV-%05d", pick(c.ConversationID+c.Slots["appointment_date"]+c.Slots["new_appointment_date"], 100000))
	return map[string]any{"reference": ref, "store": name}
}
