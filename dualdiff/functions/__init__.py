"""Layer 3: NumPy's functions on Duals and Vars, by concern. Each function is registered once in
the one table (`dualdiff.core.functions.FUNCTIONS`), its forward and reverse maps side by side;
importing a module registers its functions."""
