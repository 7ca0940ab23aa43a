"""Conforming variants of the simulator: the opposite of mutants (see catalogue.py)."""
