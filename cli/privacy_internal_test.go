package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

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
	if err := runPrivacyOn(env, st, []string{"export", "--email", "camille@example.fr"}); err != nil {
		t.Fatal(err)
	}
	var x privacy.Export
	if err := json.Unmarshal(out.Bytes(), &x); err != nil || x.Customer == nil || x.Customer.Name != "Camille Roux" {
		t.Fatalf("export %v: %s", err, out.String())
	}
	out.Reset()
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
	if len(lines) != 2 || !strings.Contains(lines[0], "export") || !strings.Contains(lines[1], "effacement") ||
		!strings.Contains(lines[1], "par dpo") || strings.Contains(out.String(), "Camille") {
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
