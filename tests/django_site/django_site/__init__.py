"""A tiny Django project used to produce real kernprof profiles of a view."""
