"""The pure core: plain data and functions, importing only the standard library and pydantic."""
