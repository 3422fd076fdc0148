"""`python -m sitebuild prepare`: generate and vendor what the pages need, before any builder runs."""

import logging
import sys

from .prepare import prepare

if __name__ == "__main__":
    if sys.argv[1:] != ["prepare"]:
        sys.exit("usage: python -m sitebuild prepare")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    prepare()
