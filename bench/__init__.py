"""Reproducible benchmarks for authconform (issue "Performance").

``authconform bench`` (or ``python -m bench``) runs them and writes
``reports/bench.json`` and ``reports/bench.md``. Each figure compares two things
measured side by side in one run: repetitions are interleaved A/B/A/B and the medians
(and the median of the paired ratios) are reported, because the 2-core CI machines are
noisy and only ratios taken in the same run mean much.

| module | figure |
|---|---|
| ``floor.py`` | counting the real suite's scenarios and steps; the generated pytest-bdd floor |
| ``suite.py`` | 1: suite vs floor; 5: the suite with 1 and 2 xdist workers |
| ``http_vs_sim.py`` | 2: per-scenario cost through ``--sut http`` vs ``--sut sim`` |
| ``sim_cycles.py`` | 3: backup + recovery cycles per second on ``sim.World`` |
| ``mutants.py`` | 4: the mutant run, serial and parallel |
| ``profile_suite.py`` | not a figure: where the suite's time goes (cProfile, by category) |
| ``component_plugin.py`` | not a figure: the same split without a profiler (timed wrappers) |
| ``whatif.py`` | not a figure: each proposed optimisation applied as a patch, measured |
| ``timing_plugin.py`` | a pytest plugin the subprocess runs load to report their own timings |
| ``run.py`` | runs the figures, compares them with the targets, writes the reports |
"""
