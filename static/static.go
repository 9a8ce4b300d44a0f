// Package static holds the web assets that Relais serves, embedded in the binary: the customer
// chat widget (web/widget.js, one file with its own styles, embeddable on any site with one
// script tag) and the demo page that embeds it (web/index.html). The server serves the web/
// folder at "/". This package owns the browser side only: the API the widget talks to is
// package server's, and its contract is in docs/customer-api.md.
package static

import "embed"

// FS holds the web/ folder; serve it with fs.Sub(FS, "web").
//
//go:embed web
var FS embed.FS
