"""The shapes several actions of `elbtrail.v2` share, a module each (generated)."""
