package dialog_test

import (
	"testing"

	"github.com/relais/relais/dialog"
	"github.com/relais/relais/store"
	"github.com/relais/relais/store/storetest"
)

// TestScriptsLoad compiles every embedded script in the real Redis.
func TestScriptsLoad(t *testing.T) {
	storetest.LoadScripts(t, dialog.Scripts, func(name string) string { return store.ScriptSource(dialog.Scripts, name) })
}
