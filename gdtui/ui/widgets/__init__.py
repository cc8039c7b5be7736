"""The debugger's widgets, one a file."""
