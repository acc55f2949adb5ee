"""The optional language model: a LangChain chat model behind a deadline. Nothing here is
imported on the default answer path; LangChain is imported only when a model is used."""
