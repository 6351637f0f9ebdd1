"""Shared Qt building blocks: the event bridge, tasks, forms, dialogs, models and style."""
