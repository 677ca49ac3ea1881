"""The kernel every app may use and that imports no app: the live event log, the audit log,
encrypted fields, money helpers and role names."""
