"""Build steps without MkDocs' command line.

    python -m sitebuild prepare                  generate what the pages need (docs/assets/generated/), before any builder
    python -m sitebuild publish [URL] [--out D]  build for a public address into a folder to upload
    python -m sitebuild finish DIR               add host files to a folder built by any builder
    python -m sitebuild hosting nginx|caddy      print the server settings the README shows
    python -m sitebuild serve-zensical [ARGS]    zensical serve, with every language edition (scripts/serve zensical)
    python -m sitebuild build-editions           rebuild the other language editions into site/ with Zensical
"""

import argparse
import logging
from pathlib import Path

from .editions import build_other_editions_with_zensical, site_dir, zensical_serve
from .hosting import SNIPPETS
from .i18n import DEFAULT_LANGUAGE
from .prepare import prepare
from .publish import BEST_BROTLI, finish_site, publish


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sitebuild", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("prepare", help="generate what the pages need into docs/assets/generated/")

    quality = dict(type=int, default=BEST_BROTLI, choices=range(12), metavar="0-11",
                   help="Brotli quality (default 11, the smallest files; lower is faster for a trial run)")
    build = commands.add_parser("publish", help="build the site for its public address into a folder to upload")
    build.add_argument("url", nargs="?", help="the public address, e.g. https://example.org/encyclopedia/ "
                                              "(default: the SITE_URL environment variable)")
    build.add_argument("--out", type=Path, default=Path("site"), help="the folder to write (default: site/)")
    build.add_argument("--gh-pages", action="store_true", help="deploy with `mkdocs gh-deploy` instead")
    build.add_argument("--brotli-quality", **quality)

    finish = commands.add_parser("finish", help="add _headers and precompressed copies to a built folder")
    finish.add_argument("site", type=Path)
    finish.add_argument("--brotli-quality", **quality)

    hosting = commands.add_parser("hosting", help="print the nginx or Caddy settings for the published folder")
    hosting.add_argument("server", choices=sorted(SNIPPETS))

    serve = commands.add_parser("serve-zensical", help="zensical serve, with every language edition")
    serve.add_argument("--dev-addr", default="127.0.0.1:8000")
    commands.add_parser("build-editions", help="rebuild the other language editions into site/ with Zensical")

    args, rest = parser.parse_known_args()
    if rest and args.command != "serve-zensical":
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.command == "prepare":
        prepare()
    elif args.command == "publish":
        publish(args.url, args.out.resolve(), gh_pages=args.gh_pages, brotli_quality=args.brotli_quality)
    elif args.command == "finish":
        finish_site(args.site, args.brotli_quality)
    elif args.command == "serve-zensical":
        raise SystemExit(zensical_serve(args.dev_addr, rest))
    elif args.command == "build-editions":
        build_other_editions_with_zensical(Path(site_dir(DEFAULT_LANGUAGE)).resolve())
    else:
        print(SNIPPETS[args.server](), end="")


if __name__ == "__main__":
    main()
