package intents

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
)

// formatVersion changes whenever Model's fields or their meaning change.
const formatVersion = 3

// Stamp identifies what a saved model was trained from. A model is reused only when its stamp
// matches the current data, configuration and spago version; otherwise it is retrained.
type Stamp struct {
	Format   int
	Spago    string // version of github.com/nlpodyssey/spago that trained it
	DataHash string // SHA-256 of the training examples and the training configuration
}

// StampFor returns the stamp a model trained on examples with cfg would carry.
func StampFor(examples []Example, cfg TrainConfig) Stamp {
	h := sha256.New()
	fmt.Fprintf(h, "%d|%+v\n", formatVersion, cfg)
	for _, ex := range examples {
		fmt.Fprintf(h, "%s\x00%s\n", ex.Text, ex.Intent)
	}
	return Stamp{Format: formatVersion, Spago: spagoVersion(), DataHash: hex.EncodeToString(h.Sum(nil))}
}

func spagoVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/nlpodyssey/spago" {
				return dep.Version
			}
		}
	}
	return "unknown"
}

type savedModel struct {
	Stamp Stamp
	Model *Model
}

// Save writes the model and its stamp to path, atomically (a reader never sees half a file).
func Save(path string, m *Model, stamp Stamp) error {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(savedModel{Stamp: stamp, Model: m}); err != nil {
		return fmt.Errorf("encodage du modèle : %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".model-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Read decodes a saved model. A corrupt or foreign file is an error, never a panic.
func Read(r io.Reader) (m *Model, stamp Stamp, err error) {
	defer func() {
		if p := recover(); p != nil {
			m, err = nil, fmt.Errorf("fichier de modèle illisible : %v", p)
		}
	}()
	var s savedModel
	if err := gob.NewDecoder(r).Decode(&s); err != nil {
		return nil, Stamp{}, fmt.Errorf("fichier de modèle illisible : %w", err)
	}
	if err := s.Model.check(); err != nil {
		return nil, Stamp{}, err
	}
	s.Model.buildIndex()
	return s.Model, s.Stamp, nil
}

// check verifies that the model's slices agree with its shape, so that a damaged file cannot
// make prediction index out of range.
func (m *Model) check() error {
	bad := func(what string) error { return fmt.Errorf("fichier de modèle incohérent : %s", what) }
	if m == nil || m.Dim <= 0 {
		return bad("en-tête")
	}
	in := m.Dim
	if m.Hidden > 0 {
		in = m.Hidden
	}
	switch {
	case len(m.Labels) < 2 || m.Spec.Buckets == 0:
		return bad("en-tête")
	case len(m.Emb)%m.Dim != 0 || len(m.IDF) != len(m.Emb)/m.Dim:
		return bad("table des n-grammes")
	case m.Hidden > 0 && (len(m.W1) != m.Hidden*m.Dim || len(m.B1) != m.Hidden):
		return bad("couche cachée")
	case len(m.B2) != len(m.Labels) || len(m.W2) != len(m.Labels)*in:
		return bad("couche de sortie")
	case m.LinearShare != 0 && (len(m.Lin) != len(m.IDF)*len(m.Labels) || len(m.LinB) != len(m.Labels)):
		return bad("score linéaire")
	}
	rows := int32(len(m.IDF))
	for bucket, r := range m.Rows {
		if r < 0 || r >= rows || bucket >= m.Spec.Buckets {
			return bad("index des n-grammes")
		}
	}
	return nil
}

// LoadOrTrain returns the model saved at path (CachePath when empty) when its stamp matches
// the examples and cfg; otherwise (missing, stale or unreadable file) it trains a new one and
// saves it there. The returned note says which happened, for the logs.
func LoadOrTrain(path string, examples []Example, cfg TrainConfig) (*Model, string, error) {
	want := StampFor(examples, cfg)
	if path == "" {
		path = CachePath(want)
	}
	if f, err := os.Open(path); err == nil {
		m, got, err := Read(f)
		f.Close()
		switch {
		case err != nil:
			return train(path, examples, cfg, want, "modèle illisible ("+err.Error()+"), réentraîné")
		case got != want:
			return train(path, examples, cfg, want, "modèle périmé (données ou version changées), réentraîné")
		}
		return m, "modèle chargé depuis " + path, nil
	}
	return train(path, examples, cfg, want, "modèle entraîné")
}

func train(path string, examples []Example, cfg TrainConfig, stamp Stamp, note string) (*Model, string, error) {
	m, err := TrainCalibrated(examples, cfg)
	if err != nil {
		return nil, "", err
	}
	if err := Save(path, m, stamp); err != nil {
		return m, note + ", mais non enregistré : " + err.Error(), nil
	}
	return m, note + " et enregistré dans " + path, nil
}

// CachePath is where a catalogue's model is kept between runs.
func CachePath(stamp Stamp) string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "relais", "model-"+stamp.DataHash[:16]+".gob")
}
