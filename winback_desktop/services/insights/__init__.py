"""What the calls taught us: reasons weighed by the business that left with them."""
