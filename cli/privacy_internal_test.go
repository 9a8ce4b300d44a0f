package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/privacy"
	"github.com/relais/relais/store/storetest"
)

// TestPrivacyCommands exports, erases and reads the audit trail of one customer on the store
// of the test (its own key prefix), as relais privacy and relais audit do on REDIS_URL's.
func TestPrivacyCommands(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	c, err := desk.New(st, nil).CreateCustomer(ctx, desk.CustomerFields{Name: "Camille Roux", Email: "camille@example.fr"}, "agent-1")
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	env := &Env{Ctx: ctx, Stdout: &out, Stderr: &errOut, Getenv: func(k string) string {
		return map[string]string{"USER": "dpo", "RELAIS_RETENTION_AUDIT": "720h"}[k]
	}}
	if err := runPrivacyOn(env, st, []string{"export", "--email", "camille@example.fr", "--format", "json"}); err != nil {
		t.Fatal(err)
	}
	var x privacy.Export
	if err := json.Unmarshal(out.Bytes(), &x); err != nil || x.Customer == nil || x.Customer.Name != "Camille Roux" {
		t.Fatalf("export %v: %s", err, out.String())
	}
	out.Reset()
	file := filepath.Join(t.TempDir(), "camille.zip")
	if err := runPrivacyOn(env, st, []string{"export", "--customer", c.ID, "--out", file}); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatalf("the export is no ZIP: %v", err)
	}
	defer zr.Close()
	if len(zr.File) != 1 || zr.File[0].Name != privacy.ArchiveDocument || out.Len() != 0 {
		t.Errorf("ZIP of a customer without files: %v, stdout %q; want export.json alone", zr.File, out.String())
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the export file: %v %v, want mode 0600 (personal data)", fi, err)
	}
	if err := runPrivacyOn(env, st, []string{"export", "--customer", c.ID, "--format", "pdf"}); err == nil || !strings.Contains(err.Error(), "zip ou json") {
		t.Errorf("--format pdf: %v", err)
	}
	if err := runPrivacyOn(env, st, []string{"erase", "--customer", c.ID, "--yes"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "fiches client") || !strings.Contains(out.String(), "1") {
		t.Errorf("erase printed %q", out.String())
	}
	out.Reset()
	if err := runAuditOn(env, st, []string{"--customer", c.ID}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "export") || !strings.Contains(lines[2], "effacement") ||
		!strings.Contains(lines[2], "par dpo") || strings.Contains(out.String(), "Camille") {
		t.Errorf("audit printed %q", out.String())
	}
	if err := runPrivacyOn(env, st, []string{"export", "--email", "camille@example.fr"}); err == nil ||
		!strings.Contains(err.Error(), "Aucun client") {
		t.Errorf("export after erasure: %v", err)
	}
}

// TestPurgeCommand: a dry run on a store with a fresh customer lists nothing and erases
// nothing; a bad retention setting is refused before anything runs.
func TestPurgeCommand(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	c, err := desk.New(st, nil).CreateCustomer(ctx, desk.CustomerFields{Name: "Jade Lenoir"}, "agent-1")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	vars := map[string]string{"USER": "dpo"}
	env := &Env{Ctx: ctx, Stdout: &out, Stderr: &out, Getenv: func(k string) string { return vars[k] }}
	if err := runPrivacyOn(env, st, []string{"purge", "--dry-run"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "0 élément(s)") || !strings.Contains(out.String(), "--dry-run") {
		t.Errorf("dry run printed %q", out.String())
	}
	if _, err := desk.New(st, nil).Customer(ctx, c.ID); err != nil {
		t.Errorf("the fresh customer was erased: %v", err)
	}
	vars["RELAIS_RETENTION_CUSTOMERS"] = "trois ans"
	if err := runPrivacyOn(env, st, []string{"purge"}); err == nil || !strings.Contains(err.Error(), "RELAIS_RETENTION_CUSTOMERS") {
		t.Errorf("a bad retention: got %v", err)
	}
}

// TestServePurges: with RELAIS_PURGE_INTERVAL, relais serve's purge erases a customer past
// their retention (here a nanosecond) without anyone asking; a bad interval is refused.
func TestServePurges(t *testing.T) {
	st := storetest.Open(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := desk.New(st, nil)
	c, err := d.CreateCustomer(ctx, desk.CustomerFields{Name: "Noé Bref"}, "agent-1")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"RELAIS_PURGE_INTERVAL": "24h", "RELAIS_RETENTION_CUSTOMERS": "1ns"}
	env := &Env{Ctx: ctx, Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string { return vars[k] }}
	if err := startPurge(env, st, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	for {
		_, err := d.Customer(ctx, c.ID)
		if apperr.CodeOf(err) == apperr.NotFound {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond) // polling; the test's own timeout bounds it
	}
	for _, bad := range []string{"tous les jours", "30s", "-1h"} {
		vars["RELAIS_PURGE_INTERVAL"] = bad
		if err := startPurge(env, st, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "RELAIS_PURGE_INTERVAL") {
			t.Errorf("RELAIS_PURGE_INTERVAL=%q: %v", bad, err)
		}
	}
}
