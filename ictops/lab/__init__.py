"""The simulated district: real sshd servers and simulated switches on loopback addresses."""
