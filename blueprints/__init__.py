"""One package per area of the intranet."""
