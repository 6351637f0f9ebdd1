"""Care plans in the core: the content schema, templates, completeness and comparison."""
