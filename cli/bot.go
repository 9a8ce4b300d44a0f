package cli

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/relais/relais/demo"
	"github.com/relais/relais/dialog"
	"github.com/relais/relais/intents"
	"github.com/relais/relais/store"
)

// newBot builds the dialog engine that `relais serve` runs: the bot of RELAIS_BOT_DIR (or the
// built-in one), its classifier (from the model cache when the catalogue did not change),
// sessions in Redis expiring after sessionTTL (RELAIS_SESSION_TTL, read once with the server
// configuration), and, for a designer's folder, hot reload of every saved edit. On the embedded store, webhooks left unconfigured answer from the
// demo backend (package demo).
func newBot(ctx context.Context, env *Env, st *store.Store, sessionTTL time.Duration) (*dialog.Engine, error) {
	dir := botDir(env, "")
	bot, err := dialog.LoadBot(dir)
	if err != nil {
		return nil, err
	}
	train := trainer(env.logger())
	c, err := train(bot)
	if err != nil {
		return nil, err
	}
	opts := dialog.Options{Log: env.logger()}
	if st.Embedded {
		// A newcomer's `go run .`: the showcase flows end well without a company backend.
		opts.Caller = demo.Caller{Next: dialog.NewHTTPCaller(), Getenv: env.Getenv}
	}
	e := dialog.NewEngine(bot, c, &dialog.RedisSessions{Store: st, TTL: sessionTTL}, opts)
	if dir != "" {
		e.Watch(ctx, dir, 500*time.Millisecond, train)
	}
	return e, nil
}

// trainer returns the classifier of a bot, trained or loaded from the model cache.
func trainer(log *slog.Logger) dialog.Trainer {
	return func(bot *dialog.Bot) (dialog.Classifier, error) {
		start := time.Now()
		cfg, err := trainConfig(bot.Dir)
		if err != nil {
			return nil, err
		}
		m, note, err := intents.LoadOrTrain("", bot.Catalogue.Examples(), cfg)
		if err != nil {
			return nil, err
		}
		log.Info(note, "intents", len(m.Labels), "seconds", time.Since(start).Seconds())
		return intents.NewClassifier(m), nil
	}
}

func durationEnv(env *Env, name string, def time.Duration) (time.Duration, error) {
	v := env.Getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q : durée attendue, par exemple 30m ou 15s", name, v)
	}
	return d, nil
}
