"""``python -m lprof_viewer`` and the ``lprof-viewer`` command."""

from __future__ import annotations

import sys

from lprof_viewer.cli import main as _cli_main


def main() -> None:
    """Run the command line, exiting with its status."""
    sys.exit(_cli_main(sys.argv[1:]))


if __name__ == "__main__":
    main()
