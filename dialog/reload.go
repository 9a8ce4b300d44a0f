package dialog

import (
	"context"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path/filepath"
	"time"
)

// Trainer gives the classifier of a bot: the cached model when its catalogue did not change,
// a newly trained one otherwise.
type Trainer func(bot *Bot) (Classifier, error)

// Watch starts reloading the designer's bot folder dir whenever one of its files changes,
// until ctx ends; edits made after Watch returns are seen. A version that fails the checks is
// logged and ignored: the engine keeps running the previous one, and conversations keep their
// sessions either way.
func (e *Engine) Watch(ctx context.Context, dir string, every time.Duration, train Trainer) {
	go e.watch(ctx, dir, fingerprint(dir), every, train)
}

func (e *Engine) watch(ctx context.Context, dir string, last uint64, every time.Duration, train Trainer) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := fingerprint(dir)
		if now == last {
			continue
		}
		last = now
		err := e.reload(dir, train)
		if err != nil {
			e.log.Error("bot non rechargé : la version précédente reste en service", "dir", dir, "problems", err.Error())
		} else {
			e.log.Info("bot rechargé", "dir", dir)
		}
		if e.onReload != nil {
			e.onReload(err)
		}
	}
}

func (e *Engine) reload(dir string, train Trainer) error {
	bot, err := LoadBot(dir)
	if err != nil {
		return err
	}
	c, err := train(bot)
	if err != nil {
		return fmt.Errorf("entraînement : %w", err)
	}
	e.Swap(bot, c)
	return nil
}

// fingerprint summarises the names, sizes and modification times of the bot's files.
func fingerprint(dir string) uint64 {
	h := fnv.New64a()
	for _, sub := range []string{"intents", "dialog"} {
		filepath.WalkDir(filepath.Join(dir, sub), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			if info, err := d.Info(); err == nil {
				fmt.Fprintf(h, "%s|%d|%d\n", path, info.Size(), info.ModTime().UnixNano())
			}
			return nil
		})
	}
	return h.Sum64()
}
