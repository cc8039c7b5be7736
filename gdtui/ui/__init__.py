"""The terminal debugger: a Textual app over the headless engine."""
