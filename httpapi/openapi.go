package httpapi

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
)

// openAPIYAML is the OpenAPI 3 description of every endpoint. It is written
// by hand, and the test suite checks every response it produces against it
// (helpers_test.go), so it cannot drift from the handlers unnoticed.
//
//go:embed openapi.yaml
var openAPIYAML []byte

// openAPI parses and validates the description once.
var openAPI = sync.OnceValues(func() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(openAPIYAML)
	if err != nil {
		return nil, fmt.Errorf("load openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi.yaml is not a valid OpenAPI 3 document: %w", err)
	}
	return doc, nil
})

var openAPIJSON = sync.OnceValues(func() ([]byte, error) {
	doc, err := openAPI()
	if err != nil {
		return nil, err
	}
	return json.Marshal(doc)
})

// OpenAPI is the parsed API description (for tests and tools).
func OpenAPI() (*openapi3.T, error) { return openAPI() }

// OpenAPIJSON is the API description as served at GET /openapi.json.
func OpenAPIJSON() ([]byte, error) { return openAPIJSON() }

// getOpenAPI answers GET /openapi.json, without a token.
func (s *Server) getOpenAPI(c echo.Context) error {
	b, err := openAPIJSON()
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, b)
}
