"""Administrator pages of backups: the last good copy, destinations, restore instructions."""
