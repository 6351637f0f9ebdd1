"""The worklist: the care manager's home page (who to call next this month)."""
