package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/relais/relais/intents"
	"go.yaml.in/yaml/v3"
)

// trainConfig is the training configuration of the bot in dir ("" for the built-in bot):
// the defaults, with the calibration target of its dialog/bot.yaml (max_rejected: the share
// of in-scope texts the designer accepts to see rejected, 0.05 when absent).
func trainConfig(dir string) (intents.TrainConfig, error) {
	cfg := intents.DefaultTrainConfig()
	if dir == "" {
		return cfg, nil
	}
	file := filepath.Join(dir, "dialog", "bot.yaml")
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return cfg, err
	}
	var s struct {
		MaxRejected *float64 `yaml:"max_rejected"`
	}
	if err := yaml.Unmarshal(data, &s); err != nil {
		return cfg, nil // dialog check reports the YAML error itself
	}
	if s.MaxRejected != nil {
		if *s.MaxRejected <= 0 || *s.MaxRejected >= 0.5 {
			return cfg, fmt.Errorf("%s : max_rejected : %v, une part entre 0 et 0.5 attendue (0.05 pour 5 %%)", file, *s.MaxRejected)
		}
		cfg.Calibration.MaxRejected = *s.MaxRejected
	}
	return cfg, nil
}
