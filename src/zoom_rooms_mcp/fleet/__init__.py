"""Fleet data: what the tools know about the fleet, and how it is kept current."""
