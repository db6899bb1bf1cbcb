"""The frozen program's entry point: PyInstaller runs this file as ``__main__``."""

from lprof_viewer.__main__ import main

main()
