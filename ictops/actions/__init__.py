"""Actions: what ictops does on one host (run a command, back up, audit...)."""
