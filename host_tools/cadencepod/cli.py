"""`cadencepod` command line: one entry point, subcommands discovered from commands/."""
import importlib
import os
import pkgutil
import sys

import click

from . import __version__, commands


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cadencepod")
def cli():
    """Cadence pod host tools: detect, demo, pull, export, report, config."""


for _info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
    _mod = importlib.import_module("%s.%s" % (commands.__name__, _info.name))
    cli.add_command(_mod.command)


def main(argv=None):
    try:
        cli.main(args=argv, prog_name="cadencepod", standalone_mode=True)
    except OSError as e:  # disk full, permission, missing file not caught by click
        click.echo("error: %s" % (e.strerror or e), err=True)
        sys.exit(2)
    except Exception as e:  # never a bare traceback as the user interface
        if os.environ.get("CADENCEPOD_DEBUG"):
            raise
        click.echo("internal error: %s: %s (set CADENCEPOD_DEBUG=1 for details)" % (type(e).__name__, e),
                   err=True)
        sys.exit(3)


if __name__ == "__main__":
    main()
