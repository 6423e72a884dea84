"""`knightwatch fix`: retire flags at a value and delete what production proved dead, as one checked
change set (`plan.plan_fix`) shown as a diff or written atomically (`apply`). `targets` says what to
retire; `rewrite` and `prune` are the LibCST codemods; `workspace` is the copy the edit is checked in."""
