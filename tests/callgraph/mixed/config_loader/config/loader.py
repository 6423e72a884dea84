import json
import os.path

from .defaults import DEFAULTS


class Settings:
    def __init__(self, values):
        self.values = values

    @classmethod
    def from_text(cls, text):
        merged = dict(DEFAULTS)
        merged.update(json.loads(text))
        return cls(merged)

    @property
    def log_path(self):
        return os.path.join(self.values["log_dir"], "app.log")
