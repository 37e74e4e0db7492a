"""The classes of `elbtrail.v2`, a module for each action (generated)."""
