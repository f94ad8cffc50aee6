"""Ingest side: load reports, normalise them with a map back to the source, chunk, embed, store."""
