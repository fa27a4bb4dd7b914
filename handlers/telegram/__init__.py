"""Telegram: the PTB application, update translation, and the broadcast sender."""
