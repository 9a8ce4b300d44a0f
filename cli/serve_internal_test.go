package cli

import (
	"strings"
	"testing"
)

// TestAttachmentLimitsFromTheEnvironment: RELAIS_ATTACHMENT_* are read once into the server's
// configuration; a value that is not a positive number, or a file larger than the quota, is
// refused with the variable's name.
func TestAttachmentLimitsFromTheEnvironment(t *testing.T) {
	config := func(vars map[string]string) (int, int, int, error) {
		cfg, err := serveConfig(&Env{Getenv: func(k string) string { return vars[k] }}, "")
		return cfg.AttachmentMaxBytes, cfg.AttachmentQuotaBytes, cfg.AttachmentQuotaFiles, err
	}
	if max, bytes, files, err := config(nil); err != nil || max != 5_000_000 || bytes != 20_000_000 || files != 20 {
		t.Errorf("defaults: %d %d %d %v", max, bytes, files, err)
	}
	set := map[string]string{"RELAIS_ATTACHMENT_MAX_BYTES": "1000000", "RELAIS_ATTACHMENT_QUOTA_BYTES": "3000000", "RELAIS_ATTACHMENT_QUOTA_FILES": "5"}
	if max, bytes, files, err := config(set); err != nil || max != 1_000_000 || bytes != 3_000_000 || files != 5 {
		t.Errorf("set: %d %d %d %v", max, bytes, files, err)
	}
	for says, vars := range map[string]map[string]string{
		"RELAIS_ATTACHMENT_QUOTA_FILES": {"RELAIS_ATTACHMENT_QUOTA_FILES": "0"},
		"RELAIS_ATTACHMENT_MAX_BYTES":   {"RELAIS_ATTACHMENT_MAX_BYTES": "5 Mo"},
		"pas plus que le quota":         {"RELAIS_ATTACHMENT_MAX_BYTES": "30000000"},
	} {
		if _, _, _, err := config(vars); err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("%v: got %v, want an error saying %q", vars, err, says)
		}
	}
}
