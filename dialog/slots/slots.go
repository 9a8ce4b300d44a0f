// Package slots finds typed values (order numbers, e-mails, dates...) in customers' messages.
package slots

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Spec describes a slot's type.
type Spec struct {
	Type    string   // one of the types in Types
	Options []string // for "choice"
	// Synonyms maps an option, as written in Options, to other words or phrases that mean it
	// ("choice" only): "forfait" for "Conseil ou souscription".
	Synonyms map[string][]string
	// Pattern is a Go regexp: the value of type "pattern", and for "order_number" the company's own
	// format, replacing the default ones.
	Pattern string
	Limits  Limits // the designer's constraints, checked by Limits.Explain
}

// Types lists the known slot types.
var Types = []string{"text", "order_number", "account_number", "email", "phone", "postal_code", "postal_address", "date", "time", "datetime", "amount", "number", "yes_no", "choice", "pattern"}

// finder finds the value of one type in a folded message.
type finder func(spec Spec, f folded, now time.Time) (string, bool)

// finders maps each type of Types to its finder.
var finders = map[string]finder{
	"text":           findText,
	"order_number":   findOrderNumber,
	"account_number": findAccountNumber,
	"email":          findEmail,
	"phone":          findPhone,
	"postal_code":    findPostalCode,
	"postal_address": findPostalAddress,
	"date":           findDate,
	"time":           findTime,
	"datetime":       findDateTime,
	"amount":         findAmount,
	"number":         findNumber,
	"yes_no":         findYesNo,
	"choice":         findChoice,
	"pattern":        findPattern,
}

// Find returns the normalised value of the slot found in text (formats in the README table), or ok=false.
// now is the reference for relative dates ("demain", "lundi prochain"; dates are never in the past:
// "12/03" means the next 12 March), in now's location.
func Find(spec Spec, text string, now time.Time) (value string, ok bool) {
	find, known := finders[spec.Type]
	if !known {
		return "", false
	}
	value, ok = find(spec, fold(text), now)
	if !ok || value == "" {
		return "", false
	}
	return value, true
}

// Check reports a problem with a spec (unknown type, missing options, bad regexp) for the designer, in French; nil when fine.
func Check(spec Spec) error {
	if _, known := finders[spec.Type]; !known {
		if spec.Type == "" {
			return fmt.Errorf("type de slot manquant (types possibles : %s)", strings.Join(Types, ", "))
		}
		return fmt.Errorf("type de slot inconnu « %s » (types possibles : %s)", spec.Type, strings.Join(Types, ", "))
	}
	if spec.Type != "choice" && len(spec.Options) > 0 {
		return fmt.Errorf("« options » ne sert qu'au type « choice », pas au type « %s »", spec.Type)
	}
	if spec.Type != "choice" && len(spec.Synonyms) > 0 {
		return fmt.Errorf("« synonyms » ne sert qu'au type « choice », pas au type « %s »", spec.Type)
	}
	if spec.Type != "pattern" && spec.Type != "order_number" && spec.Pattern != "" {
		return fmt.Errorf("« pattern » ne sert qu'aux types « pattern » et « order_number », pas au type « %s »", spec.Type)
	}
	if err := checkType(spec); err != nil {
		return err
	}
	return spec.Limits.check(spec.Type)
}

// checkType checks what a type needs: options for "choice", a regexp for "pattern".
func checkType(spec Spec) error {
	switch spec.Type {
	case "choice":
		if err := checkOptions(spec.Options); err != nil {
			return err
		}
		return checkSynonyms(spec.Options, spec.Synonyms)
	case "pattern":
		return checkPattern(spec.Pattern)
	case "order_number":
		if spec.Pattern != "" {
			return checkPattern(spec.Pattern)
		}
	}
	return nil
}

// checkSynonyms requires every key to be one of the options and every synonym to have a letter
// or a digit.
func checkSynonyms(options []string, synonyms map[string][]string) error {
	for _, key := range longestFirst(keys(synonyms)) {
		if _, ok := optionNamed(options, key); !ok {
			return fmt.Errorf("« synonyms » : « %s » n'est pas une des options (%s)", key, strings.Join(options, ", "))
		}
		for _, syn := range synonyms[key] {
			if plain(foldString(syn)) == "" {
				return fmt.Errorf("synonyme vide ou sans lettre ni chiffre pour l'option « %s »", key)
			}
		}
	}
	return nil
}

// checkOptions requires at least one option, none empty and no two alike.
func checkOptions(options []string) error {
	if len(options) == 0 {
		return errors.New("le type « choice » demande une liste d'options (options: [...])")
	}
	seen := map[string]string{}
	for _, o := range options {
		key := plain(foldString(o))
		if key == "" {
			return fmt.Errorf("option vide ou sans lettre ni chiffre : « %s »", o)
		}
		if first, dup := seen[key]; dup {
			return fmt.Errorf("options en double : « %s » et « %s » (accents et majuscules ne comptent pas)", first, o)
		}
		seen[key] = o
	}
	return nil
}

// checkPattern requires a valid regexp.
func checkPattern(pattern string) error {
	if pattern == "" {
		return errors.New("le type « pattern » demande une expression régulière (pattern: ...)")
	}
	if _, err := compile(pattern); err != nil {
		return fmt.Errorf("expression régulière invalide « %s » : %v", pattern, err)
	}
	return nil
}

// patterns caches the compiled regexps of the specs.
var patterns = struct {
	sync.Mutex
	m map[string]*regexp.Regexp
}{m: map[string]*regexp.Regexp{}}

// maxPatterns bounds the cache of compiled regexps.
const maxPatterns = 256

// compile compiles a spec's regexp, once.
func compile(pattern string) (*regexp.Regexp, error) {
	patterns.Lock()
	defer patterns.Unlock()
	if re, ok := patterns.m[pattern]; ok {
		return re, nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	if len(patterns.m) < maxPatterns {
		patterns.m[pattern] = re
	}
	return re, nil
}
