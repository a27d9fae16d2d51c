"""The diary of students and parents: absence notes (DIA-*)."""
