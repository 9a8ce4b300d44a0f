package handoff

import (
	_ "embed"
	"strings"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"

	"github.com/relais/relais/apperr"
)

// minScore is the weakest zxcvbn score accepted (0–4): 3 means about 10⁸ guesses, beyond an
// online attack slowed by the login delays and costly offline against bcrypt.
const minScore = 3

//go:embed passwords_fr.txt
var frenchWordsFile string

// frenchWords are common French passwords and words, ranked; zxcvbn's own dictionaries are
// English. They are read once, at start: the file is part of the binary.
var frenchWords = readWords(frenchWordsFile)

func readWords(file string) []string {
	var out []string
	for line := range strings.SplitSeq(file, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

// CheckPassword refuses a password an agent account may not have: shorter than MinPassword
// or longer than bcrypt reads, built on the login or the name, or easy to guess (zxcvbn with
// a French dictionary: common passwords, first names, repeats, sequences, keyboard rows,
// dates). Each case has its own French message.
func CheckPassword(password, login, name string) error {
	if n := utf8.RuneCountInString(password); n < MinPassword || len(password) > maxPassword {
		return apperr.Errorf(apperr.Invalid, "Le mot de passe doit faire de %d à %d caractères.", MinPassword, maxPassword)
	}
	lower := strings.ToLower(password)
	for _, own := range []string{login, name} {
		if own = strings.ToLower(strings.TrimSpace(own)); utf8.RuneCountInString(own) >= 3 && strings.Contains(lower, own) {
			return apperr.New(apperr.Invalid, "Le mot de passe ne doit pas reprendre l'identifiant ni le nom de l'agent.")
		}
	}
	inputs := append([]string{login, name}, frenchWords...)
	if zxcvbn.PasswordStrength(password, inputs).Score < minScore {
		return apperr.New(apperr.Invalid, "Mot de passe trop facile à deviner : évitez les mots de passe courants, "+
			"les prénoms, les répétitions (aaaa), les suites (123456, azerty) et les dates. "+
			"Une phrase de quatre mots ou plus fait l'affaire.")
	}
	return nil
}
