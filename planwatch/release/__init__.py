"""Review and release (审核发布): numbered, immutable releases of the published copy, the steward's sign-off,
returns and rollbacks, and the audit trail of every action. Above planwatch/publish (which builds the gated
candidate file) and below the command line and Dagster, which call it."""
