"""The call timer in the window: the timer bar, the stop form and the recovery prompt
(docs/architecture.md, "The call timer", "In the window")."""
