"""A recovery call: its life from start to end (``lifecycle``), attempts to reach the customer,
the pre-call brief's data, and the calls' CSV export."""
