package register

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// SheetName is the register's worksheet in the workbook.
const SheetName = "Register"

// WriteXLSX writes the register as an Excel workbook: one sheet, the CSV's
// header and rows with the same cells. Ids are numbers; amounts and values
// stay text, exact to the last place (a spreadsheet number is a float and
// would round a large PKR value).
func WriteXLSX(w io.Writer, rows []Row, asOf string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetName); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(SheetName)
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, len(Header))
	for i, h := range Header {
		head[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for i := range rows {
		cells := rows[i].Cells()
		vals := make([]any, len(cells))
		for j, c := range cells {
			vals[j] = c
		}
		vals[0], vals[1] = rows[i].ItemID, rows[i].CaseID
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, vals); err != nil {
			return fmt.Errorf("row of item %d: %w", rows[i].ItemID, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	f.SetDocProps(&excelize.DocProperties{Title: "Malkhana register as of " + asOf, Creator: "amanat"})
	last, err := excelize.CoordinatesToCellName(len(Header), len(rows)+1)
	if err != nil {
		return err
	}
	if err := f.AutoFilter(SheetName, "A1:"+last, nil); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
