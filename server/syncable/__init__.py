"""The sync vocabulary the domains use: synced-record base, field rules, clock, types."""
