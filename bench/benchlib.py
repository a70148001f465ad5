"""What the bench/ scripts share: running fmc and finding it."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(ROOT, "examples", "data", "genesis.txt")
DEFAULT_BUILD = os.path.join(ROOT, "build")


def run(command, **kwargs):
    """Runs `command`; its stdout and stderr, or exits with them when it
    fails."""
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        sys.exit(f"{os.path.basename(sys.argv[0])}: {' '.join(command)} "
                 f"failed:\n{result.stdout}{result.stderr}")
    return result.stdout + result.stderr


def find_fmc(build):
    """The fmc binary of build directory `build`, or exit saying to build."""
    fmc = os.path.join(build, "tools", "fmc", "fmc")
    if not os.access(fmc, os.X_OK):
        sys.exit(f"{os.path.basename(sys.argv[0])}: no fmc at {fmc}; build "
                 "first (make build)")
    return fmc
