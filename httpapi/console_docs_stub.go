package httpapi

// TEMPORARY: stands in for the console framework (render, consoleActor)
// until it is merged; deleted then.

import (
	"html/template"
	"os"
	"path"

	"github.com/labstack/echo/v4"
)

func (s *Server) render(c echo.Context, status int, page string, data any) error {
	fsys := os.DirFS("../web/templates")
	t, err := template.New("layout.html").ParseFS(fsys, path.Join(path.Dir(page), "layout.html"), page)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().WriteHeader(status)
	return t.ExecuteTemplate(c.Response(), "layout", struct {
		Data any
		CSRF string
		User struct{ Display string }
	}{Data: data})
}

func consoleActor(c echo.Context) Actor { return actorOf(c) }
