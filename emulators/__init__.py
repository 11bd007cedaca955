"""Local emulator suite: Google emulators, third-party stand-ins, local functions."""
