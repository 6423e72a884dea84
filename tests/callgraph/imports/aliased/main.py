import tools as t
from tools import build as make

t.build()
make()
