"""KPIs as pure functions of a run's log: availability, time and reliability, after the sale,
satisfaction and retention, costs, per segment, channel and sku, and the books' balance."""
