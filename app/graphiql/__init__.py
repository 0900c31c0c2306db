"""GraphiQL served by Socle itself: its page and every file the page loads,
so that it works without internet."""
