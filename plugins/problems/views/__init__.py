"""Problems' pages, one module per noun."""
