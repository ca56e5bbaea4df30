"""Layer 2: the number types and what every rule uses. `functions.py` is the one function table
and its machinery, `number.py` what Dual and Var share, `dual.py` forward mode, `tape.py` reverse."""
