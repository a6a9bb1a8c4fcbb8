"""Schema migrations of the announcements plugin (applied by ``accord migrate``)."""
