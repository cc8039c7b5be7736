"""The debugger's screens: the debugger itself, help, and the pickers it opens."""
