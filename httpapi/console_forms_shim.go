package httpapi

import "github.com/labstack/echo/v4"

// formsRender renders a page of the forms inside the console's layout.
func (s *Server) formsRender(c echo.Context, status int, page string, data any) error {
	return c.JSON(status, map[string]any{"page": page, "data": data})
}

// formsActor is the signed-in user of a console request.
func formsActor(c echo.Context) Actor { return actorOf(c) }
