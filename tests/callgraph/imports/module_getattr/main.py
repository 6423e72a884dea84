import pkg

pkg.handler()
