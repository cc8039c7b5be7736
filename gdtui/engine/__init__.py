"""The headless engine: problems, optimizers, the stepping session. numpy only, no UI."""
