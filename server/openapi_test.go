package server_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"go.yaml.in/yaml/v3"

	"github.com/relais/relais/handoff"
	"github.com/relais/relais/server"
	"github.com/relais/relais/store/storetest"
)

// TestOpenAPIDocumentsEveryRoute checks that every /api/v1 route the server answers, with its
// method, is in openapi.yaml, and that the file documents no route the server lacks.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	data, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}

	st := storetest.Open(t)
	bot := &fakeBot{}
	cfg := testConfig()
	srv, err := server.New(cfg, server.Deps{Store: st, Bot: bot, Static: testStatic,
		Router: handoff.NewRouter(st, handoff.Options{}), Accounts: handoff.NewAccounts(st, handoff.AccountOptions{Cost: 10})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	param := regexp.MustCompile(`:([a-z_]+)`)
	served := map[string]bool{}
	for _, r := range srv.Handler().(*echo.Echo).Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") || r.Method == echo.RouteNotFound {
			continue // Echo's own catch-all of a group
		}
		served[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
	}
	if len(served) < 20 {
		t.Fatalf("only %d API routes found: %v", len(served), served)
	}
	for route := range served {
		if !documented[route] {
			t.Errorf("%s is served but not in openapi.yaml", route)
		}
	}
	for route := range documented {
		if strings.Contains(route, "/api/v1/") && !served[route] {
			t.Errorf("%s is in openapi.yaml but not served", route)
		}
	}
}
