"""The benchmark and its data generator (issue 5): `python -m bench --help`, see bench/README.md."""
