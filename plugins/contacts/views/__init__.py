"""Pages of the contacts plugin, one module per noun."""
