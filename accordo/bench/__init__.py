"""The `make bench` pieces: a throw-away dataset, a floor view and the page measurements."""
