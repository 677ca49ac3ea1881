"""Staff inbox tables (claims, notes, canned replies) arrive with the inbox issue."""
