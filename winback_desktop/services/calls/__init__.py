"""A recovery call: its life from start to end (``lifecycle``), attempts to reach the customer,
the pre-call brief's data, the calls whose action sheets print together (``sheets``), and the
calls' CSV export."""
