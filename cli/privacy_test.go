package cli_test

import (
	"strings"
	"testing"
)

func TestPrivacyUsage(t *testing.T) {
	t.Setenv("REDIS_URL", "")
	tests := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"no subcommand", []string{"privacy"}, 2, "sous-commande attendue"},
		{"unknown subcommand", []string{"privacy", "forget"}, 2, "sous-commande inconnue"},
		{"erase unconfirmed", []string{"privacy", "erase", "--customer", "abc"}, 2, "--yes"},
		{"no Redis", []string{"privacy", "export", "--customer", "abc"}, 1, "REDIS_URL n'est pas défini"},
		{"export format", []string{"privacy", "export", "--customer", "abc", "--format", "csv"}, 2, "zip ou json"},
		{"audit without Redis", []string{"audit"}, 1, "REDIS_URL n'est pas défini"},
		{"audit argument", []string{"audit", "x"}, 2, "argument inattendu"},
		{"purge without Redis", []string{"privacy", "purge", "--dry-run"}, 1, "REDIS_URL n'est pas défini"},
		{"purge argument", []string{"privacy", "purge", "x"}, 2, "argument inattendu"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("got %d %q, want %d and %q", code, stderr, tt.code, tt.want)
			}
		})
	}
}
