"""Question analysis: what a question asks, in which language, about what, after what."""
