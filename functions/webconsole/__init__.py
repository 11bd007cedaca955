"""The web console (console/), served by the console_http function."""
