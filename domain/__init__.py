"""Pure school rules with no Flask and no database: unit-tested on their own."""
