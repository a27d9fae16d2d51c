"""plan views of the journal (filled in by its issue step)."""
