"""Qt-free core: profile data, safe .lprof reading, sources, merging and exports."""
