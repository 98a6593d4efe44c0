"""Running a scenario: ``simulate`` its replications into ``Results`` (KPIs and logs), and a
run's results folder written and read back."""
