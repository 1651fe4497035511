"""The frozen program's entry point: the same ``admitone`` command as the wheel's."""

import sys

from scanner.cli import main

if __name__ == "__main__":
    sys.exit(main())
