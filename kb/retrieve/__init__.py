"""Retrieval: the passages and sentences a question's plan points to, fused from dense and
keyword rankings."""
