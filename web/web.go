// Package web holds the console's page templates (templates/) and its
// assets (static/), embedded in the binary so that `amanat serve` needs no
// file beside it. The handlers that fill the templates live in httpapi.
//
// Layout of templates/: layout.html is the page frame every page is drawn
// in; each other .html file is one page and defines "title" and "content";
// a file whose name starts with "_" is a partial parsed into every page.
// Pages under docs/ use docs/layout.html when it exists (documents meant
// for print).
package web

import "embed"

// FS is the console's templates and assets.
//
//go:embed templates static
var FS embed.FS
