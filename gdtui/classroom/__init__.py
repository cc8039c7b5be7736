"""The classroom as the app sees it: its link to the teacher's hub (headless)."""
