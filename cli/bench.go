package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/loadtest"
	"github.com/relais/relais/store"
)

// runBench is `relais bench`: simulated customers, and agents, against a running server.
func runBench(env *Env, args []string) error {
	fs := newFlags(env, "bench", "bench [--url URL[,URL…]] [--customers N] [--duration D] [--ws] [--think D] [--json] [--metrics-token T] [--metrics-url URL[,URL…]] [--server-cpu=false] "+
		"[--agents N --handoff-share F [--agent-login-prefix P] [--agent-password PW] [--create-agents] [--agent-capacity N] [--handoff-messages M] [--agent-exchanges K]]")
	cfg := loadtest.Config{}
	urls := fs.String("url", "http://127.0.0.1:8080", "adresse du serveur ; plusieurs, séparées par des virgules : les requêtes de chaque client vont à chacune tour à tour")
	fs.IntVar(&cfg.Customers, "customers", 50, "clients simulés")
	fs.DurationVar(&cfg.Duration, "duration", 10e9, "durée de la mesure")
	fs.BoolVar(&cfg.Websockets, "ws", false, "chaque client tient aussi la websocket de sa conversation")
	fs.DurationVar(&cfg.Think, "think", 0, "pause entre une réponse et le message suivant")
	fs.IntVar(&cfg.Agents, "agents", 0, "agents simulés (comptes PRÉFIXE1..N)")
	fs.Float64Var(&cfg.HandoffShare, "handoff-share", 0, "part des clients qui demandent un conseiller (0 à 1)")
	fs.StringVar(&cfg.AgentLoginPrefix, "agent-login-prefix", "bench-agent-", "préfixe des identifiants des agents")
	fs.StringVar(&cfg.AgentPassword, "agent-password", "bench-agent-password", "mot de passe des agents")
	fs.IntVar(&cfg.HandoffMessages, "handoff-messages", 5, "messages échangés avec l'agent par client transféré")
	fs.IntVar(&cfg.AgentExchanges, "agent-exchanges", 0, "réponses après lesquelles l'agent clôt (0 : --handoff-messages)")
	create := fs.Bool("create-agents", false, "crée les comptes manquants dans le Redis de REDIS_URL")
	capacity := fs.Int("agent-capacity", 1, "capacité des agents créés par --create-agents")
	asJSON := fs.Bool("json", false, "sortie JSON")
	fs.BoolVar(&cfg.ServerCPU, "server-cpu", true, "lit process_cpu_seconds_total dans /metrics de chaque serveur avant et après : CPU serveur par tour")
	fs.StringVar(&cfg.MetricsToken, "metrics-token", env.Getenv("RELAIS_METRICS_TOKEN"), "jeton des métriques du serveur (RELAIS_METRICS_TOKEN) ; sans, le serveur ne les sert qu'en local")
	metricsURLs := fs.String("metrics-url", "", "adresses des métriques, séparées par des virgules, si le serveur les sert ailleurs (RELAIS_METRICS_ADDR) ; défaut : URL/metrics de chaque --url")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	cfg.URLs = splitURLs(*urls)
	if *metricsURLs != "" {
		cfg.MetricsURLs = splitURLs(*metricsURLs)
	}
	if url := env.Getenv("REDIS_URL"); url != "" {
		st, err := openStore(env, url, env.logger())
		if err != nil {
			return err
		}
		defer st.Close()
		cfg.RedisMemory = st.UsedMemory
		if err := benchAgents(env, st, &cfg, *create, *capacity); err != nil {
			return err
		}
	} else if *create {
		return errors.New("--create-agents a besoin de REDIS_URL (le Redis du serveur)")
	}
	res, err := loadtest.Run(env.Ctx, cfg)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(res)
	}
	res.Print(env.Stdout)
	return nil
}

// benchAgents prepares the bench's agents in the server's Redis st: the accounts created with
// create, and the desk sessions the server's login limit would refuse.
func benchAgents(env *Env, st *store.Store, cfg *loadtest.Config, create bool, capacity int) error {
	if cfg.Agents <= 0 {
		return nil
	}
	accounts := handoff.NewAccounts(st, handoff.AccountOptions{Cost: 10})
	if create {
		if err := createBenchAgents(env.Ctx, accounts, *cfg, capacity); err != nil {
			return err
		}
	}
	// The server allows 5 login attempts a minute per address: past them, the bench opens the
	// desk session itself in the shared Redis, after checking the password.
	password := cfg.AgentPassword
	cfg.AgentSession = func(ctx context.Context, login string) (string, error) {
		ag, err := accounts.ByLogin(ctx, login)
		if err != nil {
			return "", fmt.Errorf("agent %s : %s", login, apperr.MessageOf(err))
		}
		if bcrypt.CompareHashAndPassword(ag.PasswordHash, []byte(password)) != nil {
			return "", fmt.Errorf("agent %s : mauvais mot de passe", login)
		}
		return accounts.CreateSession(ctx, ag.ID)
	}
	return nil
}

// splitURLs splits a comma-separated list of URLs; an empty item stays, for Run to refuse.
func splitURLs(list string) []string {
	urls := strings.Split(list, ",")
	for i, u := range urls {
		urls[i] = strings.TrimSpace(u)
	}
	return urls
}

// createBenchAgents creates the accounts PREFIX1..N that do not exist yet.
func createBenchAgents(ctx context.Context, accounts *handoff.Accounts, cfg loadtest.Config, capacity int) error {
	for i := 1; i <= cfg.Agents; i++ {
		login := cfg.AgentLoginPrefix + strconv.Itoa(i)
		_, err := accounts.Add(ctx, handoff.NewAgent{Login: login, Name: "Agent " + strconv.Itoa(i),
			Password: cfg.AgentPassword, Capacity: capacity})
		if err != nil && apperr.CodeOf(err) != apperr.Conflict {
			return fmt.Errorf("création de %s : %w", login, err)
		}
	}
	return nil
}
