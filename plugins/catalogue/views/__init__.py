"""The catalogue's pages, one module per noun."""
