package cli

import (
	"encoding/json"

	"github.com/relais/relais/loadtest"
)

// runBench is `relais bench`: simulated customers against a running server.
func runBench(env *Env, args []string) error {
	fs := newFlags(env, "bench", "bench [--url URL] [--customers N] [--duration D] [--ws] [--think D] [--json]")
	cfg := loadtest.Config{}
	fs.StringVar(&cfg.URL, "url", "http://127.0.0.1:8080", "adresse du serveur")
	fs.IntVar(&cfg.Customers, "customers", 50, "clients simulés")
	fs.DurationVar(&cfg.Duration, "duration", 10e9, "durée de la mesure")
	fs.BoolVar(&cfg.Websockets, "ws", false, "chaque client tient aussi la websocket de sa conversation")
	fs.DurationVar(&cfg.Think, "think", 0, "pause entre une réponse et le message suivant")
	asJSON := fs.Bool("json", false, "sortie JSON")
	if _, err := parse(fs, args); err != nil {
		return err
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
