package dialog

import (
	"text/template"

	"github.com/relais/relais/dialog/slots"
)

// templateFuncs format slot values the French way in answers: {{date .jour}} → "12 mars
// 2027", {{heure .heure}} → "14 h 30", {{montant .somme}} → "1 239,99 €". A value that is not
// in the slot's stored format is shown as it is. The slots package owns these formats.
var templateFuncs = template.FuncMap{
	"date":    slots.FrenchDate,
	"heure":   slots.FrenchTime,
	"montant": slots.FrenchAmount,
}
