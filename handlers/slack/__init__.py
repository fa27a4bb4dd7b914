"""Slack: the Bolt app, payload translation, the broadcast sender and the app manifest."""
