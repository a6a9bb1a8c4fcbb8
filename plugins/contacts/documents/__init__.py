"""Documents kept with people and customer organisations (contracts, forms, letters)."""
