"""Each module here defines `command` (a click command or group); cli.py registers them all.

Adding a subcommand means adding a module: no shared registry to edit.
"""
