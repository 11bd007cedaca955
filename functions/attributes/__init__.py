"""Reserved data attributes, user-profile flags, and anonymous identity (capability 4)."""
