"""The project app has no tables yet. The module exists so that Django sends this app's
`post_migrate` signal, which keeps the role groups in step with new models (sbops/apps.py)."""
