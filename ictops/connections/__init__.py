"""Sessions to servers (paramiko) and switches (netmiko)."""
