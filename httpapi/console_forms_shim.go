package httpapi

import (
	"bytes"
	"html/template"
	"io/fs"

	"github.com/labstack/echo/v4"
)

// formsFS holds the console's templates (web/templates/forms) until the
// console's layout and render are wired in.
var formsFS fs.FS

const formsLayout = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{template "title" .}}</title></head>
<body><main>{{template "content" .}}</main></body></html>`

// formsRender renders a page of the forms inside the console's layout.
func (s *Server) formsRender(c echo.Context, status int, page string, data any) error {
	t, err := template.New("layout").Parse(formsLayout)
	if err == nil {
		t, err = t.ParseFS(formsFS, "templates/"+page)
	}
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", map[string]any{"CSRF": "test-csrf", "Data": data}); err != nil {
		return err
	}
	return c.HTMLBlob(status, b.Bytes())
}

// formsActor is the signed-in user of a console request.
func formsActor(c echo.Context) Actor { return actorOf(c) }
