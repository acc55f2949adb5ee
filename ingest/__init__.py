"""Load, clean, chunk and embed source documents into a ipskb index."""
