package handoff

import (
	"testing"

	"github.com/relais/relais/store/storetest"
)

// TestScriptsLoad compiles every embedded script, as it runs, in the real Redis.
func TestScriptsLoad(t *testing.T) {
	storetest.LoadScripts(t, scriptFiles, scripts.Source)
}
