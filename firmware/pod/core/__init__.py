"""Pure-Python detection and logic core: no machine imports; runs on CPython and MicroPython."""
