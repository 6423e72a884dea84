from pkg.sub import leaf

leaf.go()
