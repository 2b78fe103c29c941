"""Unattended runs: when they start (cron or a systemd timer), one at a time (the project lock),
inside their maintenance window and off the school calendar's excluded dates, and which hosts
come first after a bad night. See docs/schedule.md.

The modules here are small and mostly pure; the CLI (``ictops schedule``) and the run driver
call them.
"""
