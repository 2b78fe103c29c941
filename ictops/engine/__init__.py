"""The engine: runs an action on many hosts in parallel (Nornir's threaded runner)."""
