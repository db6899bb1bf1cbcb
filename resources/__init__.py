"""Icons, the bundled demo profile and its sources (installed as lprof_viewer.resources)."""
