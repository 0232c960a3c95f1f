"""Everything that talks to (or describes) the Zoom REST API."""
