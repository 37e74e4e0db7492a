"""The shapes several actions of `elbtrail.classic` share, a module each (generated)."""
