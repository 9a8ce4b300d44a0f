package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/relais/relais/handoff/desk"
)

// runIdentity is `relais identity SUBCOMMAND`: signed customer identities for the widget.
func runIdentity(env *Env, args []string) error {
	if len(args) == 0 {
		return usageError{"sous-commande attendue : sign"}
	}
	if args[0] != "sign" {
		return usageError{fmt.Sprintf("sous-commande inconnue %q : sign", args[0])}
	}
	return runIdentitySign(env, args[1:])
}

// runIdentitySign is `relais identity sign`: it prints a token signed with
// RELAIS_IDENTITY_SECRET, as the company's site would make it, for tests and demos.
func runIdentitySign(env *Env, args []string) error {
	fs := newFlags(env, "identity sign", "identity sign --sub ID [--name NOM] [--email E] [--phone TEL] [--ttl 1h]")
	sub := fs.String("sub", "", "identifiant du client chez l'entreprise (obligatoire)")
	name := fs.String("name", "", "nom du client")
	email := fs.String("email", "", "adresse e-mail du client")
	phone := fs.String("phone", "", "téléphone du client")
	ttl := fs.Duration("ttl", time.Hour, "durée de validité du jeton")
	if rest, err := parse(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usageError{fmt.Sprintf("argument inattendu %q", rest[0])}
	}
	if *sub == "" {
		return usageError{"--sub est obligatoire"}
	}
	if *ttl <= 0 {
		return usageError{"--ttl : durée positive attendue"}
	}
	secret := env.Getenv("RELAIS_IDENTITY_SECRET")
	if secret == "" {
		return errors.New("RELAIS_IDENTITY_SECRET n'est pas défini : c'est la clé partagée avec le serveur")
	}
	token := desk.SignIdentity([]byte(secret), desk.Identity{Sub: *sub, Name: *name, Email: *email,
		Phone: *phone, Exp: time.Now().Add(*ttl).Unix()})
	fmt.Fprintln(env.Stdout, token)
	return nil
}
