package httpapi

import "testing"

func TestOpenAPIDocumentIsValid(t *testing.T) {
	if _, err := OpenAPI(); err != nil {
		t.Fatal(err)
	}
}
