"""The patients part: the list, the patient form, the detail page and import."""
