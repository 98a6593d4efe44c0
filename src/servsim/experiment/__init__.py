"""Experiments: sweep a scenario's parameters over replications, on one machine or a cluster.

``schema`` and ``loading`` read experiment files, ``design`` plans points and runs, ``work`` and
``executors`` run them, ``batches`` and ``store`` keep them, ``tables`` summarizes them,
``adaptive`` decides how many replications a point needs, ``frontier`` judges the points against
the standards, and ``sweep`` ties these together into ``SweepResults``.
"""
