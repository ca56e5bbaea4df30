"""Layer 5: what is built on the API: the command line's expression grammar and program, the
computational graph drawer and the tangent-line plot."""
