"""Runs for a while (until stopped) and starts a child process, for Stop tests."""

import subprocess
import sys
import time
from pathlib import Path


@profile
def wait_forever(pid_file: Path) -> None:
    """Start a child that outlives nothing, write both pids, then sleep in small steps."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    pid_file.write_text(f"{child.pid}\n")
    print("sleeping", flush=True)
    for _ in range(1200):
        time.sleep(0.1)


if __name__ == "__main__":
    wait_forever(Path(sys.argv[1]))
