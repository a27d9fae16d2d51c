"""Personal-data pages: consents and parents' applications (delivery of reports)."""
