from pkg.parser import parse

parse("a b")
