"""Table models over domain rows: sorting and filtering happen in the model, never in a
``QSortFilterProxyModel`` (a proxy calls back into Python for every comparison)."""
