package dialog

import (
	"time"
	_ "time/tzdata" // Europe/Paris and the others, even on a machine without a zoneinfo database
)

// Defaults of the optional settings of bot.yaml, for bots written before they existed.
var (
	defaultRetryHint     = "Vous pouvez aussi écrire « annuler » pour arrêter, ou « conseiller » pour parler à une personne."
	defaultOfferAccepted = "Restez dans cette fenêtre : un conseiller reprend la conversation dès qu'il est disponible. Vous pouvez déjà lui décrire votre demande ici."
	defaultOfferDeclined = Message{Text: "D'accord. Que puis-je faire pour vous ?"}
	defaultNeutral       = Message{Text: "Que puis-je faire pour vous ?"}
	defaultThanks        = Message{Text: "Avec plaisir ! Puis-je faire autre chose pour vous ?", QuickReplies: []string{"Non, c'est tout", "Oui, autre chose"}}
	defaultInsult        = Message{
		Text:         "Je comprends que la situation soit agaçante, et je suis là pour vous aider. Souhaitez-vous que je vous mette en relation avec un conseiller ?",
		QuickReplies: []string{"Oui, parler à un conseiller", "Non merci"},
	}
	defaultOtherLanguages = map[string]Message{
		"en": {Text: "Sorry, this service is only available in French. Would you like to talk to an advisor?", QuickReplies: []string{"Yes", "No"}},
		"es": {Text: "Lo sentimos, este servicio solo está disponible en francés. ¿Desea hablar con un asesor?", QuickReplies: []string{"Sí", "No"}},
		"de": {Text: "Dieser Service ist leider nur auf Französisch verfügbar. Möchten Sie mit einem Berater sprechen?", QuickReplies: []string{"Ja", "Nein"}},
		"it": {Text: "Purtroppo questo servizio è disponibile solo in francese. Desidera parlare con un consulente?", QuickReplies: []string{"Sì", "No"}},
		"pt": {Text: "Lamentamos, este serviço só está disponível em francês. Deseja falar com um assistente?", QuickReplies: []string{"Sim", "Não"}},
	}
	defaultAlsoAsked   = "Vous aviez aussi une autre demande : « {{.intent}} ». Je m'en occupe ?"
	defaultClarifyDate = "Pour être sûr : vous voulez dire {{.first}} ou {{.second}} ?"
)

// defaults fills the optional settings a bot.yaml leaves out.
func (s *Settings) defaults() {
	if s.MaxMisses <= 0 {
		s.MaxMisses = 2
	}
	if s.MaxRetries <= 0 {
		s.MaxRetries = 3
	}
	if s.RetryHint == "" {
		s.RetryHint = defaultRetryHint
	}
	if s.RetriesExhausted.Text == "" {
		s.RetriesExhausted = s.OfferAgent
	}
	if s.OfferAccepted == "" {
		s.OfferAccepted = defaultOfferAccepted
	}
	if s.OfferDeclined.Text == "" {
		s.OfferDeclined = defaultOfferDeclined
	}
	if s.Neutral.Text == "" {
		s.Neutral = defaultNeutral
	}
	if s.Thanks.Text == "" {
		s.Thanks = defaultThanks
	}
	if s.Insult.Text == "" {
		s.Insult = defaultInsult
	}
	if s.OtherLanguages == nil {
		s.OtherLanguages = defaultOtherLanguages
	}
	if s.AlsoAsked == "" {
		s.AlsoAsked = defaultAlsoAsked
	}
	if s.ClarifyDate == "" {
		s.ClarifyDate = defaultClarifyDate
	}
	if s.DigressionConfidence <= 0 {
		s.DigressionConfidence = 0.5
	}
	if s.TimeZone == "" {
		s.TimeZone = "Europe/Paris"
	}
}

// location is the bot's time zone; dialog check has refused an unknown one.
func (s *Settings) location() *time.Location {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}
