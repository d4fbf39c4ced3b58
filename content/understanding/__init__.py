"""Understanding free text: units to answer, their words and vectors, and the per-scope index."""
