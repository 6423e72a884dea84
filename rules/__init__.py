"""knightwatch's rules, one a module. `ALL_RULES` is the public list, in rule-id order."""
