def total(row)  # expect: KW000 medium
    return sum(row)
