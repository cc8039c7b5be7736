"""Teaching a class: `gdtui serve ssh` (one app per SSH login) and `gdtui serve web`."""
