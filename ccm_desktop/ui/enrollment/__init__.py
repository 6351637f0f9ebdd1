"""The enrollment part: the wizard, its pages, decline/disenroll dialogs and the tab."""
