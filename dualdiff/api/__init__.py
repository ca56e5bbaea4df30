"""Layer 4: the user's functions: `forward.py` (derivative, gradient, jacobian, hessian, jvp),
`reverse.py` (the tape's gradient, vjp, hvp), `modes.py` (one entry point that picks a mode),
`check.py` (check_gradient) and `register.py` (user rules)."""
