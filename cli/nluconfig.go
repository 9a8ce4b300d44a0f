package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/relais/relais/dialog"
	"github.com/relais/relais/intents"
)

// trainConfig is the training configuration of the bot in dir ("" for the built-in bot):
// the defaults, with the calibration target of its dialog/bot.yaml (max_rejected, read and
// checked by the dialog package).
func trainConfig(dir string) (intents.TrainConfig, error) {
	cfg := intents.DefaultTrainConfig()
	if dir == "" {
		return cfg, nil
	}
	d := filepath.Join(dir, "dialog")
	if _, err := os.Stat(filepath.Join(d, "bot.yaml")); errors.Is(err, fs.ErrNotExist) {
		return cfg, nil
	}
	files, err := dialog.ReadFiles(os.DirFS(d), d)
	if err != nil {
		return cfg, err
	}
	target, err := files.Settings.RejectTarget()
	if err != nil {
		return cfg, fmt.Errorf("%s : %v", filepath.Join(d, "bot.yaml"), err)
	}
	cfg.Calibration.MaxRejected = target
	return cfg, nil
}
