package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff"
)

// runAgent is `relais agent SUBCOMMAND`: the agents' accounts.
func runAgent(env *Env, args []string) error {
	if len(args) == 0 {
		return usageError{"sous-commande attendue : add, password, role"}
	}
	switch args[0] {
	case "add":
		return runAgentAdd(env, args[1:], env.Stdin)
	case "password":
		return runAgentPassword(env, args[1:], env.Stdin)
	case "role":
		return runAgentRole(env, args[1:])
	}
	return usageError{fmt.Sprintf("sous-commande inconnue %q : add, password, role", args[0])}
}

// runAgentAdd is `relais agent add`: it creates an account in the Redis of REDIS_URL. The
// password comes from the first line of stdin with --password-stdin (never from a flag, which
// other users could read in the process list); otherwise a random one is printed once.
func runAgentAdd(env *Env, args []string, stdin io.Reader) error {
	fs := newFlags(env, "agent add", "agent add --login IDENTIFIANT --name NOM [--skills a,b] [--capacity N] [--role agent|superviseur] [--password-stdin]")
	login := fs.String("login", "", "identifiant de connexion (obligatoire)")
	name := fs.String("name", "", "nom affiché aux clients (obligatoire)")
	skills := fs.String("skills", "", "compétences : catégories d'intentions séparées par des virgules (aucune : toutes)")
	capacity := fs.Int("capacity", 1, "conversations simultanées")
	role := fs.String("role", string(handoff.RoleAgent), roleHelp)
	fromStdin := fs.Bool("password-stdin", false, "lit le mot de passe sur la première ligne de l'entrée standard")
	if rest, err := parse(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usageError{fmt.Sprintf("argument inattendu %q", rest[0])}
	}
	if *login == "" || *name == "" {
		return usageError{"--login et --name sont obligatoires"}
	}
	acc, password, generated, err := openAccounts(env, *fromStdin, stdin)
	if err != nil {
		return err
	}
	defer acc.close()
	ag, err := acc.Add(env.Ctx, handoff.NewAgent{
		Login: *login, Name: *name, Password: password, Skills: list(*skills), Capacity: *capacity,
		Role: handoff.Role(*role)})
	if err != nil {
		return accountError(err)
	}
	fmt.Fprintf(env.Stdout, "Agent ajouté : %s (identifiant %s, id %s), rôle %s, capacité %d, compétences : %s\n",
		ag.Name, ag.Login, ag.ID, ag.Role, ag.Capacity, firstOf(strings.Join(ag.Skills, ", "), "toutes"))
	if generated {
		fmt.Fprintf(env.Stdout, "Mot de passe (affiché une seule fois) : %s\n", password)
	}
	return nil
}

const roleHelp = "rôle : agent, ou superviseur (peut aussi effacer et exporter les données d'une personne depuis le bureau)"

// runAgentRole is `relais agent role`: another role for an account, from the agent's next
// request on.
func runAgentRole(env *Env, args []string) error {
	fs := newFlags(env, "agent role", "agent role --login IDENTIFIANT --role agent|superviseur")
	login := fs.String("login", "", "identifiant de connexion (obligatoire)")
	role := fs.String("role", "", roleHelp+" (obligatoire)")
	if rest, err := parse(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usageError{fmt.Sprintf("argument inattendu %q", rest[0])}
	}
	if *login == "" || *role == "" {
		return usageError{"--login et --role sont obligatoires"}
	}
	url := env.Getenv("REDIS_URL")
	if url == "" {
		return errNoRedis
	}
	st, err := openStore(env, url, env.logger())
	if err != nil {
		return err
	}
	defer st.Close()
	acc := handoff.NewAccounts(st, handoff.AccountOptions{})
	ag, err := acc.ByLogin(env.Ctx, *login)
	if err == nil {
		err = acc.SetRole(env.Ctx, ag.ID, handoff.Role(*role))
	}
	if err != nil {
		return accountError(err)
	}
	r, _ := handoff.ParseRole(*role)
	fmt.Fprintf(env.Stdout, "Rôle changé : %s (identifiant %s) est maintenant %s\n", ag.Name, ag.Login, r)
	return nil
}

var errNoRedis = errors.New("REDIS_URL n'est pas défini : un compte du stockage en mémoire intégré disparaîtrait " +
	"à la fin de cette commande. Définissez REDIS_URL (le Redis du serveur). Sans Redis, « relais serve » " +
	"crée lui-même un agent de démonstration et affiche son mot de passe au démarrage")

// accounts are the agent accounts in the Redis of REDIS_URL, open for one command.
type accounts struct {
	*handoff.Accounts
	close func() error
}

// openAccounts opens the accounts of REDIS_URL and reads the password to set (see readPassword).
func openAccounts(env *Env, fromStdin bool, stdin io.Reader) (acc accounts, password string, generated bool, err error) {
	url := env.Getenv("REDIS_URL")
	if url == "" {
		return acc, "", false, errNoRedis
	}
	if password, generated, err = readPassword(fromStdin, stdin); err != nil {
		return acc, "", false, err
	}
	st, err := openStore(env, url, env.logger())
	if err != nil {
		return acc, "", false, err
	}
	return accounts{handoff.NewAccounts(st, handoff.AccountOptions{}), st.Close}, password, generated, nil
}

// readPassword reads the password from the first line of stdin when fromStdin, or makes a
// random one (generated true: to print once).
func readPassword(fromStdin bool, stdin io.Reader) (password string, generated bool, err error) {
	if !fromStdin {
		return handoff.GeneratePassword(), true, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("lecture du mot de passe : %w", err)
	}
	return strings.TrimRight(line, "\r\n"), false, nil
}

// accountError gives an account's refusal as its French message (a weak password, a login
// taken), and any other error as it is.
func accountError(err error) error {
	if apperr.CodeOf(err) != apperr.Internal {
		return errors.New(strings.TrimSuffix(apperr.MessageOf(err), "."))
	}
	return err
}

// runAgentPassword is `relais agent password`: a new password for an account, checked like a
// new account's (length, not easy to guess); from stdin with --password-stdin, otherwise a
// random one printed once. Open desk sessions stay open.
func runAgentPassword(env *Env, args []string, stdin io.Reader) error {
	fs := newFlags(env, "agent password", "agent password --login IDENTIFIANT [--password-stdin]")
	login := fs.String("login", "", "identifiant de connexion (obligatoire)")
	fromStdin := fs.Bool("password-stdin", false, "lit le mot de passe sur la première ligne de l'entrée standard")
	if rest, err := parse(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usageError{fmt.Sprintf("argument inattendu %q", rest[0])}
	}
	if *login == "" {
		return usageError{"--login est obligatoire"}
	}
	acc, password, generated, err := openAccounts(env, *fromStdin, stdin)
	if err != nil {
		return err
	}
	defer acc.close()
	ag, err := acc.ByLogin(env.Ctx, *login)
	if err == nil {
		err = acc.SetPassword(env.Ctx, ag.ID, password)
	}
	if err != nil {
		return accountError(err)
	}
	fmt.Fprintf(env.Stdout, "Mot de passe changé : %s (identifiant %s)\n", ag.Name, ag.Login)
	if generated {
		fmt.Fprintf(env.Stdout, "Mot de passe (affiché une seule fois) : %s\n", password)
	}
	return nil
}
