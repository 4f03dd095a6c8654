"""Accounts and roles (planwatch.access.accounts): who may read, upload, answer, review, approve and manage users."""
