from helpers import greet

greet()
