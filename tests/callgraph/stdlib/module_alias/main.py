import os.path as osp
import sys


def script_name():
    return osp.basename(sys.argv[0])


script_name()
