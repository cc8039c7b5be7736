"""gdtui: step through gradient descent one update at a time, in the terminal."""

__version__ = "0.1.0"
