"""Worked examples of extensions (see docs/model.md, "Extending the model")."""
