"""Profiles a function compiled under a pseudo-file name longer than any file name can be.

Code generators (ORMs, template engines, dataclasses) compile code under
names like ``<generated code for ...>``; no such file exists to show.
"""

NAME = "<generated model code for " + "Customer.orders.items.product.variant." * 8 + ">"
CODE = "def total(rows):\n    s = 0\n    for r in rows:\n        s += r\n    return s\n"
namespace: dict = {}
exec(compile(CODE, NAME, "exec"), namespace)
total = profile(namespace["total"])


@profile
def caller():
    return total(range(10))


caller()
