package dialog_test

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/dialog"
)

// misleading is the test classifier plus what a real one does with short answers: it is sure
// of unrelated intents (« non » → a payment, « d'accord » → an order). The engine must read
// such replies as answers to its pending question first.
func misleading() scripted {
	c := maps.Clone(classifier)
	for text, intent := range map[string]string{
		"oui": "horaires_magasin", "non": "statut_commande", "d'accord": "annuler_commande",
		"ouais": "aucun", "c'est bon": "conclusion", "le deuxième": "horaires_magasin",
		"oui je veux bien": "annuler_commande", "#123": "annuler_commande", "merci": "conclusion",
		"je veux parler à un conseiller": "mise_en_relation_agent", "conseiller": "mise_en_relation_agent",
		"un rendez-vous": "prendre_rendez_vous", "payer": "effectuer_paiement",
		"je voudrais payer maintenant": "effectuer_paiement",
	} {
		c[text] = understood(intent)
	}
	return c
}

// wednesday is the clock of the table: Wednesday 2 December 2026, 10:00 in Paris.
var wednesday = time.Date(2026, 12, 2, 10, 0, 0, 0, time.FixedZone("CET", 3600))

// TestInterpretationOrder is the table of the interpretation order (README, « Interprétation
// d'une réponse »): for each pending question, each shape of reply, what the bot does.
func TestInterpretationOrder(t *testing.T) {
	status := dialog.CannedCaller{"order_status": {"status": "expédiée"}}
	tests := []struct {
		name    string
		before  []string // the messages that set up the pending question
		reply   string
		want    []string // found in the replies to reply
		notWant []string
		slots   map[string]string
		handoff bool
		end     bool
	}{
		// No pending question.
		{name: "none × bare yes → neutral", reply: "oui", want: []string{"Que puis-je faire pour vous ?"}, notWant: []string{"Ouvert"}},
		{name: "none × bare no → neutral", reply: "non", want: []string{"Que puis-je faire pour vous ?"}},
		{name: "none × request → its answer", reply: "vous ouvrez à quelle heure", want: []string{"Ouvert de 10 h à 19 h."}},
		{name: "none × thanks → anything else?, no end", reply: "merci", want: []string{"autre chose"}},
		{name: "anything else × no → goodbye", before: []string{"merci"}, reply: "non", want: []string{"Merci, au revoir !"}, end: true},
		{name: "anything else × yes → what?", before: []string{"merci"}, reply: "oui", want: []string{"Que puis-je faire pour vous ?"}},
		{name: "none × goodbye → ends", reply: "merci au revoir", want: []string{"Merci, au revoir !"}, end: true},
		{name: "none × insult → calm and offer", reply: "connard", want: []string{"conseiller"}},
		{name: "none × English → English and offer", reply: "hello where is my order please", want: []string{"French"}},
		// A slot is pending.
		{name: "slot × value → filled", before: []string{"où en est ma commande"}, reply: "c'est la CMD-48213", want: []string{"expédiée"}, slots: map[string]string{"order_number": "CMD-48213"}},
		{name: "slot × short non-answer the classifier is sure of → retry", before: []string{"où en est ma commande"}, reply: "#123", want: []string{"Ce n'est pas un numéro de commande", "annuler"}, notWant: []string{"J'annule"}},
		{name: "slot × yes → retry", before: []string{"où en est ma commande"}, reply: "oui", want: []string{"Ce n'est pas un numéro de commande"}, notWant: []string{"Ouvert"}},
		{name: "slot × d'accord → retry", before: []string{"où en est ma commande"}, reply: "d'accord", want: []string{"Ce n'est pas un numéro de commande"}},
		{name: "slot × clear request → digression and resume", before: []string{"où en est ma commande"}, reply: "vous ouvrez à quelle heure", want: []string{"Ouvert", "Revenons à votre demande.", "Quel est votre numéro de commande ?"}},
		{name: "slot × agent → handoff, no resume", before: []string{"où en est ma commande"}, reply: "je veux parler à un conseiller", want: []string{"Je vous passe un conseiller."}, notWant: []string{"Revenons", "numéro de commande"}, handoff: true},
		{name: "slot × short agent → handoff", before: []string{"où en est ma commande"}, reply: "conseiller", notWant: []string{"Revenons"}, handoff: true},
		{name: "slot × goodbye → ends, no resume", before: []string{"où en est ma commande"}, reply: "merci au revoir", want: []string{"Merci, au revoir !"}, notWant: []string{"Revenons"}, end: true},
		{name: "slot × thanks only → retry, not an end", before: []string{"où en est ma commande"}, reply: "merci", notWant: []string{"au revoir"}},
		{name: "slot × cancel → cancelled", before: []string{"où en est ma commande"}, reply: "annuler", want: []string{"C'est annulé."}},
		{name: "slot × cancel in a sentence → cancelled", before: []string{"où en est ma commande"}, reply: "en fait non laissez tomber", want: []string{"C'est annulé."}},
		{name: "confirm × changed one's mind → the no text", before: []string{"payer", "20 euros", "non"}, reply: "finalement non je ne veux plus", want: []string{"Rien n'est prélevé."}},
		{name: "slot × changed one's mind → cancelled", before: []string{"payer"}, reply: "non finalement je ne veux plus payer", want: []string{"C'est annulé."}},
		{name: "cancellation flow × its own request again → not a cancel", before: []string{"je veux annuler ma commande"}, reply: "je veux annuler ma commande", notWant: []string{"C'est annulé."}},
		{name: "slot × insult → calm and offer", before: []string{"où en est ma commande"}, reply: "bot de merde", want: []string{"conseiller"}, notWant: []string{"Revenons"}},
		{name: "slot × value over a limit → explained, asked again", before: []string{"payer"}, reply: "moins 20 euros", want: []string{"Quel montant ?"}, notWant: []string{"Je prélève"}},
		{name: "slot × third failed answer → offer of a human", before: []string{"où en est ma commande", "#1", "#2"}, reply: "#3", want: []string{"Voulez-vous parler à un conseiller ?"}},
		{name: "date slot × date and time → both filled", before: []string{"un rendez-vous", "Conseil"}, reply: "samedi prochain à 11h", want: []string{"Rendez-vous Conseil le 2026-12-05 à 11:00"}, slots: map[string]string{"jour": "2026-12-05", "heure": "11:00"}},
		{name: "date slot × Sunday → refused", before: []string{"un rendez-vous", "Conseil"}, reply: "dimanche", want: []string{"dimanche", "Quel jour ?"}},
		{name: "date slot × ambiguous → asked back", before: []string{"un rendez-vous", "Conseil"}, reply: "jeudi prochain", want: []string{"3 décembre", "10 décembre"}},
		{name: "clarification × position → picked", before: []string{"un rendez-vous", "Conseil", "jeudi prochain"}, reply: "le deuxième", want: []string{"À quelle heure ?"}, slots: map[string]string{"jour": "2026-12-10"}},
		{name: "time slot × outside the hours → refused", before: []string{"un rendez-vous", "Conseil", "lundi"}, reply: "21h", want: []string{"18 h 30", "À quelle heure ?"}},
		{name: "choice slot × synonym → option", before: []string{"un rendez-vous"}, reply: "mon écran est cassé", want: []string{"Quel jour ?"}, slots: map[string]string{"motif": "Réparation"}},
		{name: "choice slot × position → option", before: []string{"un rendez-vous"}, reply: "le deuxième", slots: map[string]string{"motif": "Réparation"}},
		// A confirmation is pending.
		{name: "confirm × yes → goes on", before: []string{"je veux annuler ma commande", "CMD-48213"}, reply: "oui", want: []string{"Un conseiller finalise l'annulation."}, handoff: true},
		{name: "optional slot × no → left empty", before: []string{"payer", "20 euros"}, reply: "non", want: []string{"Je prélève 20,00 €, d'accord ?"}},
		{name: "optional slot × value → filled", before: []string{"payer", "20 euros"}, reply: "FAC-123", want: []string{"Je prélève"}, slots: map[string]string{"reference": "FAC-123"}},
		{name: "confirm × c'est bon → yes, no end", before: []string{"payer", "20 euros", "non"}, reply: "c'est bon", want: []string{"Paiement de 20,00 € envoyé."}},
		{name: "confirm × no → the no text", before: []string{"payer", "20 euros", "non"}, reply: "non", want: []string{"Rien n'est prélevé."}},
		{name: "confirm × no with a new value → corrected", before: []string{"payer", "20 euros", "non"}, reply: "non, c'est 45 euros", want: []string{"Je prélève 45,00 €, d'accord ?"}, slots: map[string]string{"somme": "45.00"}},
		{name: "confirm × yes but a new value → corrected", before: []string{"payer", "20 euros", "non"}, reply: "oui mais plutôt 25 euros", want: []string{"Je prélève 25,00 €, d'accord ?"}},
		{name: "confirm × yes with the same value → goes on", before: []string{"payer", "20 euros", "non"}, reply: "oui, 20 euros", want: []string{"Paiement de 20,00 € envoyé."}},
		{name: "confirm × bare new value → corrected", before: []string{"je veux annuler ma commande", "CMD-48213"}, reply: "CMD-50000", want: []string{"J'annule la commande CMD-50000"}},
		{name: "confirm × correction over a limit → explained", before: []string{"payer", "20 euros", "non"}, reply: "non moins 5 euros", want: []string{"Je prélève 20,00 €"}, slots: map[string]string{"somme": "20.00"}},
		{name: "confirm × agent → handoff, no resume", before: []string{"payer", "20 euros", "non"}, reply: "je veux parler à un conseiller", notWant: []string{"d'accord ?", "Revenons"}, handoff: true},
		{name: "confirm × thanks only → asked again, no end", before: []string{"payer", "20 euros", "non"}, reply: "merci", want: []string{"Je prélève 20,00 €"}},
		// An offer of a human is pending.
		{name: "offer × ouais → handoff", before: []string{"blorpt", "zzkx"}, reply: "ouais", handoff: true},
		{name: "offer × oui je veux bien → handoff", before: []string{"blorpt", "zzkx"}, reply: "oui je veux bien", handoff: true, notWant: []string{"J'annule"}},
		{name: "offer × no → declined", before: []string{"blorpt", "zzkx"}, reply: "non", want: []string{"Que puis-je faire pour vous ?"}},
		{name: "offer in a flow × no → the question again", before: []string{"où en est ma commande", "#1", "#2", "#3"}, reply: "non", want: []string{"Quel est votre numéro de commande ?"}},
		{name: "offer × a request → the request", before: []string{"blorpt", "zzkx"}, reply: "vous ouvrez à quelle heure", want: []string{"Ouvert"}},
		// A disambiguation is pending.
		{name: "disambiguation × position → that intent", before: []string{"commande"}, reply: "le deuxième", want: []string{"Quel est le numéro de la commande à annuler ?"}},
		{name: "disambiguation × name → that intent", before: []string{"commande"}, reply: "Statut de la commande", want: []string{"Quel est votre numéro de commande ?"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := dialog.NewEngine(testBot(t), misleading(), dialog.NewMemorySessions(),
				dialog.Options{Caller: status, Now: func() time.Time { return wednesday }})
			say(t, e, "c1", tt.before...)
			turn := say(t, e, "c1", tt.reply)
			got := text(turn)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("got %q, want it to contain %q", got, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("got %q, want no %q", got, w)
				}
			}
			if (turn.Handoff != nil) != tt.handoff || turn.End != tt.end {
				t.Errorf("got handoff %v end %v, want %v %v", turn.Handoff != nil, turn.End, tt.handoff, tt.end)
			}
			s, _ := e.Session(t.Context(), "c1")
			for k, v := range tt.slots {
				if s.Slots[k] != v {
					t.Errorf("got slot %s = %q, want %q", k, s.Slots[k], v)
				}
			}
		})
	}
}

// TestHandoffInAFlowSummary: a human asked for in the middle of a flow learns what the
// customer was doing and what they gave.
func TestHandoffInAFlowSummary(t *testing.T) {
	e := dialog.NewEngine(testBot(t), misleading(), dialog.NewMemorySessions(), dialog.Options{})
	turn := say(t, e, "c1", "payer", "20 euros", "je veux parler à un conseiller")
	if turn.Handoff == nil || !strings.Contains(turn.Handoff.Summary, "pendant « Effectuer un paiement » (somme : 20.00)") {
		t.Errorf("got %+v, want a summary naming the payment and its amount", turn.Handoff)
	}
}

// TestOfferHandoffSummary: the agent learns what the customer was stuck on.
func TestOfferHandoffSummary(t *testing.T) {
	e := dialog.NewEngine(testBot(t), misleading(), dialog.NewMemorySessions(), dialog.Options{})
	turn := say(t, e, "c1", "où en est ma commande", "#1", "#2", "#3", "ouais")
	if turn.Handoff == nil || turn.Handoff.Intent != "statut_commande" || !strings.Contains(turn.Handoff.Summary, "Statut de la commande") ||
		!strings.Contains(turn.Handoff.Summary, "« #3 »") {
		t.Errorf("got %+v, want a handoff about « Statut de la commande »", turn.Handoff)
	}
}

var _ dialog.Classifier = scripted(nil)
