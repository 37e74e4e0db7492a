"""The classes of `elbtrail.classic`, a module for each action (generated)."""
