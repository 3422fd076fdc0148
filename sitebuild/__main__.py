"""`python -m sitebuild prepare`: run the build steps without MkDocs."""

import sys

from .prepare import prepare

if __name__ == "__main__":
    if sys.argv[1:] != ["prepare"]:
        sys.exit("usage: python -m sitebuild prepare")
    prepare()
