package httpapi

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/address"
	"github.com/amanat-ledger/amanat/ledger"
)

type validateAddressRequest struct {
	Chain   string `json:"chain"`
	Network string `json:"network"`
	Address string `json:"address"`
}

// postValidateAddress answers POST /v1/addresses/validate for any role: 200
// with {"valid":true,"chain","network","type"} or {"valid":false,"reason"}.
// An unknown chain or network is a 422 naming the field; chain defaults to
// bitcoin and network to mainnet, as in the CLI.
func (s *Server) postValidateAddress(c echo.Context) error {
	if err := requireRole(c, access.Roles...); err != nil {
		return err
	}
	var req validateAddressRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Address == "" {
		return ledger.FieldErr("address", "is required")
	}
	res, err := address.Validate(req.Chain, req.Network, req.Address)
	var pe *address.ParamError
	if errors.As(err, &pe) {
		return ledger.FieldErr(pe.Field, pe.Reason)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}
