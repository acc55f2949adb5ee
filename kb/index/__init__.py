"""The index: the vector store, the keyword index, the embedding model, index generations."""
