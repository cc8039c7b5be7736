"""gdtui tests."""
