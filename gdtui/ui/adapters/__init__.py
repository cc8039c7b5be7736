"""The only modules of the UI that reach past a library's public API: one per library."""
