"""One module per sheet (or pair of sheets) of the report workbook."""
