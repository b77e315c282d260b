"""Identity: who is calling (principals, role sessions), what they may do (policy evaluation,
trust, resource policies), and what they did (the audit trail)."""
