# -*- coding: latin-1 -*-
NAME = "café"  # a valid latin-1 file: not an error
