"""Administrator pages of scheduled jobs: runs, progress, run by hand."""
