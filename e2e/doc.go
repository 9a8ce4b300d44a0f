// Package e2e holds the browser tests of Relais: the customer chat widget and the agent desk
// (« Bureau d'assistance clientèle ») of package static, driven in headless Chromium
// (github.com/chromedp/chromedp) against the real server started in-process on 127.0.0.1:0.
// The desk tests walk the seed's two procedures (desk_procedure_test.go), two agents' edit
// conflicts, hostile text and customer linking (desk_records_test.go); their customers talk
// to the server over HTTP, as the widget does. The package has no code of its own besides
// this comment; the tests are in its _test.go files.
//
// The tests run only when RELAIS_BROWSER_TESTS=1, with Chromium at /usr/bin/chromium (Debian's
// package chromium; CHROMIUM_PATH overrides the path):
//
//	RELAIS_BROWSER_TESTS=1 go test ./e2e/
//
// REDIS_URL selects the store as everywhere else: a real Redis when set, the embedded one
// otherwise. The bot is the built-in French bot (dialog engine and classifier, trained once
// per run or read from the model cache), with a canned answer for the order-status webhook.
// Screenshots are written to RELAIS_ARTIFACTS/e2e/ when RELAIS_ARTIFACTS is set, and to the
// repository's artifacts/e2e/ folder (ignored by git) otherwise; each test logs their paths.
// RELAIS_E2E_LOG=1 shows the server's debug log in the test output.
//
// The widget lives in a shadow root: the tests reach it with JavaScript paths
// (document.querySelector("#relais-widget").shadowRoot...) and wait on conditions evaluated
// in the page, never on fixed delays.
package e2e
