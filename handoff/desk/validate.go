package desk

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/relais/relais/apperr"
)

// The limits of docs/desk.md, in characters (runes).
const (
	MaxName     = 200
	MaxTitle    = 2000 // « Les champs … ont une limite de 2 000 caractères » (the agent's guide)
	MaxText     = 2000 // address, notes, description, a left message
	MaxAccount  = 50
	MaxTag      = 50
	MaxTags     = 30  // tags on one activity
	MaxReason   = 500 // the reason of a transfer or a hand back
	minPhone    = 6
	maxPhone    = 20
	maxEmail    = 254
	maxSearched = 20 // customers one search returns
)

// FieldLimits are the limits the desk page shows in its counters, by field kind: the page
// reads them from the server (GET /api/v1/desk/limits), it does not write them again.
func FieldLimits() map[string]int {
	return map[string]int{"name": MaxName, "title": MaxTitle, "text": MaxText, "account": MaxAccount,
		"tag": MaxTag, "tags": MaxTags, "reason": MaxReason,
		"reply_name": MaxReplyName, "replies": MaxReplies, "email": maxEmail, "phone_digits_min": minPhone, "phone_digits_max": maxPhone}
}

// DefaultTitle is the title of a request the server opens on its own.
const DefaultTitle = "Nouvelle demande"

// LeftMessageTitle is the title of the request made for a message a customer left.
const LeftMessageTitle = "Message laissé par le client"

// Languages are the customer languages the desk offers; fr is the default.
var Languages = []string{"fr", "en", "es", "de", "it", "nl", "pt", "ar"}

// CustomerFields are the fields of a customer an agent edits.
type CustomerFields struct {
	Name          string `json:"name"`
	Email         string `json:"email"`
	Phone         string `json:"phone"`
	Address       string `json:"address"`
	AccountNumber string `json:"account_number"`
	Language      string `json:"language"`
	Notes         string `json:"notes"`
}

// fieldErrors collects a French message per field.
type fieldErrors map[string]string

func (fe fieldErrors) err() error {
	if len(fe) == 0 {
		return nil
	}
	return apperr.InvalidFields(fe)
}

// tooLong checks a text field against its limit; the message says the limit and the count.
func (fe fieldErrors) tooLong(field, v string, limit int) {
	if !utf8.ValidString(v) {
		fe[field] = "Caractères invalides."
		return
	}
	if n := utf8.RuneCountInString(v); n > limit {
		fe[field] = fmt.Sprintf("%d caractères au plus (%d saisis).", limit, n)
	}
}

// clean trims the fields, fills the default language and checks every rule at once.
func (f *CustomerFields) clean() error {
	for _, p := range []*string{&f.Name, &f.Email, &f.Phone, &f.Address, &f.AccountNumber, &f.Language, &f.Notes} {
		*p = strings.TrimSpace(*p)
	}
	f.Language = strings.ToLower(f.Language)
	if f.Language == "" {
		f.Language = "fr"
	}
	fe := fieldErrors{}
	if f.Name == "" {
		fe["name"] = "Le nom est obligatoire."
	}
	fe.tooLong("name", f.Name, MaxName)
	if f.Email != "" && !looksLikeEmail(f.Email) {
		fe["email"] = "Adresse e-mail invalide."
	}
	if f.Phone != "" {
		if d := phoneDigits(f.Phone); len(d) < minPhone || len(d) > maxPhone {
			fe["phone"] = "Numéro de téléphone invalide : de 6 à 20 chiffres."
		}
	}
	fe.tooLong("address", f.Address, MaxText)
	fe.tooLong("notes", f.Notes, MaxText)
	if !validAccount(f.AccountNumber) {
		fe["account_number"] = fmt.Sprintf("Numéro de compte invalide : %d lettres, chiffres ou tirets au plus.", MaxAccount)
	}
	if !knownLanguage(f.Language) {
		fe["language"] = "Langue inconnue : " + strings.Join(Languages, ", ") + "."
	}
	return fe.err()
}

// looksLikeEmail accepts local@domain.tld without spaces, as people type it.
func looksLikeEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && len(s) <= maxEmail && !strings.ContainsAny(s, " \t<>,;\"") &&
		!strings.Contains(domain, "@") && strings.Contains(domain, ".") &&
		!strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// phoneDigits removes spaces, dots, dashes, parentheses and a leading +; it returns "" when
// anything else than digits remains.
func phoneDigits(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "+")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		default:
			return ""
		}
	}
	return b.String()
}

// phoneKey is the phone index: the digits, with a French international prefix (+33, 0033)
// written as the national 0, so that « +33 6 12 34 56 78 » finds « 06 12 34 56 78 ».
func phoneKey(s string) string {
	d := phoneDigits(s)
	t := strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(t, "+33") && len(d) > 2:
		return "0" + d[2:]
	case strings.HasPrefix(d, "0033") && len(d) > 4:
		return "0" + d[4:]
	}
	return d
}

func validAccount(s string) bool {
	if utf8.RuneCountInString(s) > MaxAccount {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' {
			return false
		}
	}
	return true
}

func knownLanguage(l string) bool {
	for _, k := range Languages {
		if l == k {
			return true
		}
	}
	return false
}

// RequestFields are the fields of a new request.
type RequestFields struct {
	Title       string `json:"title"`
	Description string `json:"description"`
}

func (f *RequestFields) clean() error {
	f.Title, f.Description = strings.TrimSpace(f.Title), strings.TrimSpace(f.Description)
	if f.Title == "" {
		f.Title = DefaultTitle
	}
	fe := fieldErrors{}
	fe.tooLong("title", f.Title, MaxTitle)
	fe.tooLong("description", f.Description, MaxText)
	return fe.err()
}

// RequestPatch changes some fields of a request; nil leaves a field as it is.
type RequestPatch struct {
	Title       *string        `json:"title"`
	Description *string        `json:"description"`
	Status      *RequestStatus `json:"status"`
}

func (p *RequestPatch) clean() error {
	fe := fieldErrors{}
	if p.Title != nil {
		*p.Title = strings.TrimSpace(*p.Title)
		if *p.Title == "" {
			fe["title"] = "Le titre est obligatoire."
		}
		fe.tooLong("title", *p.Title, MaxTitle)
	}
	if p.Description != nil {
		*p.Description = strings.TrimSpace(*p.Description)
		fe.tooLong("description", *p.Description, MaxText)
	}
	if p.Status != nil && *p.Status != StatusOpen && *p.Status != StatusClosed {
		fe["status"] = "Statut inconnu : open ou closed."
	}
	return fe.err()
}

// cleanTag trims a tag and checks it; it returns the tag and its key (see TagKey).
func cleanTag(tag string) (string, string, error) {
	tag = strings.TrimSpace(tag)
	fe := fieldErrors{}
	switch n := utf8.RuneCountInString(tag); {
	case !utf8.ValidString(tag) || strings.IndexFunc(tag, unicode.IsControl) >= 0:
		fe["tag"] = "Caractères invalides."
	case n == 0:
		fe["tag"] = "Le tag est vide."
	case n > MaxTag:
		fe["tag"] = fmt.Sprintf("%d caractères au plus (%d saisis).", MaxTag, n)
	}
	return tag, TagKey(tag), fe.err()
}

// TagKey is what makes two tags the same: case, accents, the ligatures œ and æ and runs of
// spaces ignored, so « Réclamation », « reclamation » and « RÉCLAMATION » share one key, as do
// « Cœur de gamme » and « coeur  de gamme ».
func TagKey(tag string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(strings.TrimSpace(tag)) {
		switch r = unicode.ToLower(r); {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsSpace(r):
			space = true
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteString(unligature(r))
		}
	}
	return norm.NFC.String(b.String())
}

// unligature spells the French ligatures in two letters.
func unligature(r rune) string {
	switch r {
	case 'œ':
		return "oe"
	case 'æ':
		return "ae"
	}
	return string(r)
}

// checkMessage checks a message a customer leaves.
func checkMessage(text string) (string, error) {
	text = strings.TrimSpace(text)
	fe := fieldErrors{}
	if text == "" {
		fe["message"] = "Le message est vide."
	}
	fe.tooLong("message", text, MaxText)
	return text, fe.err()
}
