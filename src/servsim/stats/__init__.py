"""Statistics over replications: confidence intervals, service standards and their verdicts,
and the closed forms of queueing and inventory theory the tests check the simulation against."""
