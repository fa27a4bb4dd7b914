"""Chat transcripts: the same lines typed on the console, Telegram and Slack, read as the user sees them."""
